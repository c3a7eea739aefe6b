"""The grid's answer is kept per period and rebuilt as soon as what its cells show changes, on
both databases: a 审定, a new report, the deadline passing. Each answer equals the grid built
afresh (`ledger_grid.grid`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.clock import Clock
from ledger.periods import Period
from services import ledger_grid
from tests.webapp.conftest import Api, MakeApi
from tests.webapp.world import (
    AFTER_DUE,
    BEFORE_DUE,
    CONTACT_2,
    DEVELOPMENT,
    PRINCIPAL,
    STAFF,
    TRANSPORT,
    WATER,
    seed_month,
)  # fmt: skip
from web.api_read import GRIDS


async def cells(api: Api) -> dict[str, str]:
    """The grid's cells by unit, after checking the answer is the one built afresh."""
    status, grid = await api.get("grid?period=2023-05", STAFF)
    assert status == 200

    async def fresh(session: AsyncSession) -> dict[str, Any]:
        period = Period.parse("2023-05")
        return await ledger_grid.grid(session, period=period, as_of=api.runtime.as_of())

    assert {k: v for k, v in grid.items() if k != "marks"} == await api.run(fresh)
    return {u["name"]: u["cells"] for u in grid["units"]}


async def test_the_kept_grid_follows_every_change(make_api: MakeApi) -> None:
    api = await make_api(BEFORE_DUE)  # Friday 2 June: three working days left
    ids = await api.run(lambda s: seed_month(s, approve_first=False))
    assert await cells(api) == {TRANSPORT: "WW.", DEVELOPMENT: ".GN", WATER: "..n"}
    kept = api.client.app[GRIDS].grids
    built = next(iter(kept.values())).data
    assert await cells(api) == {TRANSPORT: "WW.", DEVELOPMENT: ".GN", WATER: "..n"}
    assert next(iter(kept.values())).data is built  # nothing changed: not read again

    _, queue = await api.get("reviews", PRINCIPAL)
    five = next(i["entry"]["id"] for i in queue["entries"] if i["task"]["number"] == 5)
    assert (await api.post(f"entries/{five}/approve", PRINCIPAL, {}))[0] == 200
    assert await cells(api) == {TRANSPORT: "GW.", DEVELOPMENT: ".GN", WATER: "..n"}
    patched = next(iter(kept.values())).data
    assert patched is not built and patched["tasks"] is built["tasks"]  # transport's row only

    item = {"task_id": ids["8"], "status": "on_track", "progress": "水利项目完成投资1.2亿元。"}
    assert (await api.post("form?period=2023-05", CONTACT_2, {"items": [item]}))[0] == 201
    assert await cells(api) == {TRANSPORT: "GW.", DEVELOPMENT: ".GG", WATER: "..n"}

    api.runtime.clock = Clock(AFTER_DUE)  # the deadline passes: water's 8 turns red
    assert await cells(api) == {TRANSPORT: "GW.", DEVELOPMENT: ".GG", WATER: "..r"}
    assert len(kept) == 1
