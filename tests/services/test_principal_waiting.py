"""Who gets the 待办提醒 on a real database: every reachable principal with an entry to 审定 or
a 销号 to approve, with those items; not an unreachable principal, not one with nothing waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.timetable import DEFAULT_RULES
from ledger.vocab import ContactRole, EntryStatus
from messages.notices import pending_reminder
from models import Contact
from services.identity import identify
from services.pending import waiting_principals
from services.reporting import Draft, Source, submit
from services.status import period_status
from tests.factories import make_plan, make_task, make_unit

TZ = ZoneInfo("Asia/Shanghai")
MARCH = Period(2023, 3)
THURSDAY = datetime(2023, 4, 6, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, the day before the 7th
CONTACT, BUSY, AWAY, IDLE = 1001, 2001, 2002, 2003


async def test_only_reachable_principals_with_something_waiting(session: AsyncSession) -> None:
    transport = await make_unit(session, "市交通运输局")
    water = await make_unit(session, "市水务局")
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 5, leads=[transport])
    await make_task(session, plan, 8, leads=[water])
    session.add_all([
        Contact(telegram_user_id=CONTACT, unit_id=transport.id, role=ContactRole.CONTACT),
        Contact(telegram_user_id=BUSY, unit_id=transport.id, role=ContactRole.PRINCIPAL),
        Contact(telegram_user_id=AWAY, unit_id=transport.id, role=ContactRole.PRINCIPAL,
                unreachable_at=THURSDAY),
        Contact(telegram_user_id=IDLE, unit_id=water.id, role=ContactRole.PRINCIPAL),
    ])  # fmt: skip
    await session.flush()
    await period_status(session, period=MARCH, now=THURSDAY, rules=DEFAULT_RULES, tz=TZ)
    assert await waiting_principals(session) == []

    await submit(
        session, identity=await identify(session, CONTACT),
        draft=Draft(5, EntryStatus.ON_TRACK, "推进中"), period=MARCH,
        source=Source(CONTACT, "张三", CONTACT, None, THURSDAY), rules=DEFAULT_RULES, tz=TZ,
    )  # fmt: skip
    [busy] = await waiting_principals(session)
    assert busy.user_id == BUSY
    assert [(e.unit, e.task_number, e.period) for e in busy.queue.entries] == [
        ("市交通运输局", 5, "2023-03")
    ]
    text = pending_reminder(busy, "2023-03", date(2023, 4, 7), "zh")["text"]
    assert text == (
        "<b>待办提醒</b>：2023-03 台账将于 2023-04-07 截止，"
        "以下事项待您处理（发送 /pending 逐项审定）：\n"
        "· 待审定：市交通运输局 任务5（2023-03 台账）"
    )
    assert pending_reminder(busy, "2023-03", date(2023, 4, 7), "en")["text"].startswith(
        "<b>Waiting for you</b>: the 2023-03 ledger is due 2023-04-07"
    )
