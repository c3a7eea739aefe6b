"""催办 on a real database: the record, the outbox rows, once per unit per day even when two
presses race, and the bulletin's count per unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.timetable import DEFAULT_RULES
from ledger.vocab import ContactRole
from models import Contact, OutboxMessage, Urge
from reports.bulletin import build
from services.audit import Actor
from services.quarter_year_data import quarter_data
from services.urging import UrgeRefused, prepare, send
from tests.factories import make_plan, make_task, make_unit

TZ = ZoneInfo("Asia/Shanghai")
MARCH = Period(2023, 3)
MONDAY = datetime(2023, 4, 10, 2, 0, tzinfo=UTC)  # after the 7 April deadline
ACTOR = Actor.telegram(900, 900)


async def _urge(session: AsyncSession, unit_id: int, now: datetime) -> int:
    urging = await prepare(session, unit_id=unit_id, period=MARCH, now=now, rules=DEFAULT_RULES,
                           tz=TZ)  # fmt: skip
    payloads = {r.contact_id: {"text": f"催办 {r.unit}"} for r in urging.recipients}
    return await send(session, urging, payloads, actor=ACTOR, now=now, tz=TZ)


async def test_once_per_day_and_counted_in_the_bulletin(session: AsyncSession) -> None:
    transport = await make_unit(session, "市交通运输局")
    water = await make_unit(session, "市水务局")
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 5, leads=[transport])
    await make_task(session, plan, 8, leads=[water])
    for user, unit, role in [(1, transport, ContactRole.CONTACT), (2, transport,
                             ContactRole.PRINCIPAL), (3, water, ContactRole.CONTACT)]:  # fmt: skip
        session.add(Contact(telegram_user_id=user, unit_id=unit.id, role=role))
    await session.flush()

    assert await _urge(session, transport.id, MONDAY) == 2  # its contact and its principal
    with pytest.raises(UrgeRefused) as refused:
        await _urge(session, transport.id, MONDAY + timedelta(hours=3))
    assert (refused.value.key, refused.value.values["at"]) == ("already_urged", "10:00")

    # Two presses prepared together: the second one's record is refused by the unique key.
    first = await prepare(session, unit_id=water.id, period=MARCH, now=MONDAY,
                          rules=DEFAULT_RULES, tz=TZ)  # fmt: skip
    second = await prepare(session, unit_id=water.id, period=MARCH, now=MONDAY,
                           rules=DEFAULT_RULES, tz=TZ)  # fmt: skip
    payloads = {r.contact_id: {"text": "催办"} for r in first.recipients}
    assert await send(session, first, payloads, actor=ACTOR, now=MONDAY, tz=TZ) == 1
    with pytest.raises(UrgeRefused, match="already_urged"):
        await send(session, second, payloads, actor=ACTOR, now=MONDAY, tz=TZ)

    # The next day 市交通运输局 is urged again.
    assert await _urge(session, transport.id, MONDAY + timedelta(days=1)) == 2
    assert await session.scalar(select(func.count()).select_from(Urge)) == 3
    assert await session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "urge")
    ) == 5  # fmt: skip

    data = await quarter_data(session, quarter=Quarter(2023, 1), rules=DEFAULT_RULES, tz=TZ,
                              now=MONDAY + timedelta(days=2))  # fmt: skip
    assert data is not None
    bulletin = build(data)
    assert "本季度催办3次：市交通运输局2次、市水务局1次。" in bulletin.summary
    only = build(data, only=[water.id])
    assert "本季度催办1次：市水务局1次。" in only.summary
