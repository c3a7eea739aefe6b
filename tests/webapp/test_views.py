"""The grid's quarter and year views on both databases: staff only, figures by hand.

World (tests/webapp/world.py) at 2023-06-08, the open period 2023-05: 市交通运输局 owes 5 and 6,
市发展改革委 6 and 8, 市水务局 8, every month of 2023 (the plan's window starts in January).
"""

from __future__ import annotations

import pytest

from tests.webapp.conftest import Api, MakeApi
from tests.webapp.world import (
    ADMIN,
    AFTER_DUE,
    CONTACT,
    DEVELOPMENT,
    PRINCIPAL,
    STAFF,
    TRANSPORT,
    WATER,
    seed_milestones,
    seed_month,
)  # fmt: skip


@pytest.fixture
async def api(make_api: MakeApi) -> Api:
    api = await make_api(AFTER_DUE)
    ids = await api.run(seed_month)
    await api.run(lambda s: seed_milestones(s, ids))
    api.ids = ids  # type: ignore[attr-defined]
    return api


@pytest.mark.parametrize("path", ["grid/quarter?quarter=2023Q2", "grid/year?year=2023"])
async def test_only_staff_see_the_views(api: Api, path: str) -> None:
    for user in (STAFF, ADMIN):
        status, _ = await api.get(path, user)
        assert status == 200
    for user in (CONTACT, PRINCIPAL):
        assert await api.get(path, user) == (403, {"error": "not allowed for your role"})


async def test_the_quarter_view_shows_each_target_and_each_answer(api: Api) -> None:
    ids = api.ids  # type: ignore[attr-defined]
    status, view = await api.get("grid/quarter?quarter=2023Q2", STAFF)
    assert status == 200
    assert view["quarter"] == "2023Q2"
    assert [(t["number"], t["target"]) for t in view["tasks"]] == [(5, "路基完工"),
                                                                  (6, "新开线路3条")]  # fmt: skip
    # Columns 5, 6: transport met 5 and owes an answer on 6; development answered 6 partly
    # and owes nothing on 5 (not its task); water owes neither (task 8 has no Q2 target).
    assert [(u["name"], u["cells"]) for u in view["units"]] == [
        (TRANSPORT, "M?"), (DEVELOPMENT, ".P")
    ]  # fmt: skip
    assert view["units"][1]["notes"] == {str(ids["6"]): "已开2条"}
    assert view["totals"] == {"M": 1, "P": 1, "X": 0, "?": 1}
    status, default = await api.get("grid/quarter", STAFF)  # the open period 2023-05: Q2
    assert (status, default) == (200, view)


async def test_the_year_view_counts_each_month_of_each_unit(api: Api) -> None:
    status, view = await api.get("grid/year?year=2023", STAFF)
    assert status == 200
    # January to May (the open period); every deadline passed by 8 June.
    assert [(m["period"], m["due_passed"]) for m in view["months"]] == [
        (f"2023-0{m}", True) for m in range(1, 6)
    ]
    # Owed each month: transport 2, development 2, water 1 = 5. Counted in May only:
    # transport's 5 (approved; its 6 waits for 审定) and development's 6 (no principal).
    assert [(m["counted"], m["owed"]) for m in view["months"]] == [(0, 5)] * 4 + [(2, 5)]
    # The least complete first: water 0/5, then transport and development 1/10 by name.
    assert [(u["name"], u["months"]) for u in view["units"]] == [
        (WATER, [[0, 1]] * 5),
        (TRANSPORT, [[0, 2]] * 4 + [[1, 2]]),
        (DEVELOPMENT, [[0, 2]] * 4 + [[1, 2]]),
    ]
    status, default = await api.get("grid/year", STAFF)
    assert (status, default) == (200, view)


async def test_bad_quarter_or_year_is_one_line(api: Api) -> None:
    status, body = await api.get("grid/quarter?quarter=2023Q5", STAFF)
    assert status == 400 and "quarter" in body["error"]
    assert await api.get("grid/year?year=23", STAFF) == (
        400, {"error": "year must be YYYY, not '23'"}
    )  # fmt: skip
