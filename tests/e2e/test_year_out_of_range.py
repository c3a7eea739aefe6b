"""`/export 9999-12`, `/bulletin 9999Q4`, `/digest 9999-12` used to get no reply at all (the
year 10000 overflowed while the answer was built): now one clear line (issue #11)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness
from tests.e2e.seed import seed
from tests.e2e.test_reporting_flows import FAKE_NOW

pytestmark = pytest.mark.e2e


def test_a_year_no_ledger_can_have_gets_one_clear_line(harness: Harness) -> None:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    for command in ("/export 9999-12", "/bulletin 9999Q4", "/digest 9999-12", "/export 1999-12"):
        [reply] = harness.say(admin, command)
        assert reply["text"] == "年份超出范围：台账年份应在 2000–2999 之间。", command
    [usage] = harness.say(admin, "/export 2023-13")
    assert usage["text"].startswith("用法：/export")
