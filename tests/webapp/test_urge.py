"""[催办] from the Mini App on both databases: the chat's /urge service, staff only, about the
open period (2023-05 on 8 June, the day after its deadline): once per unit per day, audited with
the Mini App as origin, the unit's contact told through the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditLog, OutboxMessage
from tests.webapp.conftest import MakeApi
from tests.webapp.world import (
    AFTER_DUE,
    CONTACT,
    CONTACT_2,
    DEVELOPMENT,
    STAFF,
    WATER,
    seed_month,
)  # fmt: skip


async def _written(session: AsyncSession) -> dict[str, Any]:
    outbox = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    audit = (await session.scalars(select(AuditLog).where(AuditLog.action == "unit.urge"))).all()
    return {
        "outbox": [(m.kind, m.chat_id, m.payload["text"].split("：")[0]) for m in outbox
                   if m.kind == "urge"],
        "audit": [(a.via, a.actor_user_id, a.target) for a in audit],
    }  # fmt: skip


async def test_staff_urge_an_overdue_unit_once_a_day(make_api: MakeApi) -> None:
    api = await make_api(AFTER_DUE)
    ids = await api.run(seed_month)
    development, water = ids[DEVELOPMENT], ids[WATER]
    # Development counted 6 (no principal: accepted) and still owes 8; one contact to tell.
    status, body = await api.post(f"units/{development}/urge?period=2023-05", STAFF, {})
    assert (status, body) == (201, {
        "unit": DEVELOPMENT, "period": "2023-05", "tasks": [8], "people": 1,
        "message": f"已催办 {DEVELOPMENT}（2023-05）：未报 1 项，已通知 1 人。",
    })  # fmt: skip
    assert await api.run(_written) == {
        "outbox": [("urge", CONTACT_2, "<b>催办</b>")],
        "audit": [("mini_app", STAFF, DEVELOPMENT)],
    }
    # The same day again: refused with the time of the first, nothing more written.
    assert await api.post(f"units/{development}/urge", STAFF, {}) == (409, {
        "error": f"{DEVELOPMENT} 今天已催办过（10:00 发出），每个工作日最多催办一次。"
    })  # fmt: skip
    assert len((await api.run(_written))["outbox"]) == 1
    # Water owes 8 with nobody bound; a past period's button; a contact may not urge.
    assert await api.post(f"units/{water}/urge", STAFF, {}) == (409, {
        "error": f"{WATER} 没有可联系的填报人或主要负责同志（请先发送邀请码）。"
    })  # fmt: skip
    assert await api.post(f"units/{water}/urge?period=2023-04", STAFF, {}) == (
        409, {"error": "2023-04 is not the open ledger (2023-05): nothing to urge"}
    )  # fmt: skip
    assert await api.post(f"units/{water}/urge", CONTACT, {}) == (
        403, {"error": "not allowed for your role"}
    )  # fmt: skip
    assert await api.post("units/999999/urge", STAFF, {}) == (404, {"error": "no such unit"})
    assert (await api.run(_written))["audit"] == [("mini_app", STAFF, DEVELOPMENT)]
