"""已销号 and 已延期 beside the colours, on both databases: the grid carries the marks of its
period (closures in force asked in it or before, approved extensions of it), the entry view
those of its unit's task (tests/webapp/world.py `seed_marks`)."""

from __future__ import annotations

from tests.webapp.conftest import MakeApi
from tests.webapp.world import (
    AFTER_DUE,
    DEVELOPMENT,
    STAFF,
    TRANSPORT,
    seed_marks,
    seed_month,
)  # fmt: skip


async def test_the_grid_and_the_entry_show_closed_and_extended(make_api: MakeApi) -> None:
    api = await make_api(AFTER_DUE)
    ids = await api.run(seed_month)
    await api.run(lambda s: seed_marks(s, ids))
    transport, development = ids[TRANSPORT], ids[DEVELOPMENT]
    status, grid = await api.get("grid?period=2023-05", STAFF)
    assert status == 200
    assert grid["marks"] == {
        "closed": {f"{transport}-{ids['5']}": "2023-06-05"},
        "extended": {f"{transport}-{ids['6']}": "2023-06-20"},
    }
    _, later = await api.get("grid?period=2023-06", STAFF)  # both closures in force by then
    assert later["marks"]["closed"] == {
        f"{transport}-{ids['5']}": "2023-06-05", f"{development}-{ids['6']}": "2023-07-05"
    }  # fmt: skip
    assert later["marks"]["extended"] == {}
    shown = {}
    for unit, task in ((transport, "5"), (transport, "6"), (development, "8")):
        status, entry = await api.get(
            f"entry?period=2023-05&task_id={ids[task]}&unit_id={unit}", STAFF
        )
        assert status == 200
        shown[unit, task] = (entry["closed"], entry["extended"])
    assert shown == {
        (transport, "5"): ("2023-06-05", None),
        (transport, "6"): (None, "2023-06-20"),
        (development, "8"): (None, None),  # its extension is not decided yet
    }
