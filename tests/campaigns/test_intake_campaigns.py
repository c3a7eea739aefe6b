"""SIGKILL during bursts of `/report`s in webhook mode (small; the full 50-kill campaign is
`bench/bench_campaigns.py --only webhook`): every report stored exactly once."""

from __future__ import annotations

import pytest

from tests.campaigns.intake import webhook_kill_campaign
from tests.e2e.harness import Harness

pytestmark = pytest.mark.e2e


def test_sigkill_during_webhook_bursts(harness: Harness) -> None:
    report = webhook_kill_campaign(harness, senders=10, messages=200, kills=5)
    print(f"\n{report}")
    assert report.kills == 5
    assert report.kills_mid_work == report.kills, report.kill_points  # each kill mid-work
    assert report.lost == 0, report
    assert report.doubled == 0, report
    assert report.stored_once == report.sent == 200
