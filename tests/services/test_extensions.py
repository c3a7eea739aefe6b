"""延期申请 on a real database: the request, the decision moving the one obligation's due
instant (the lateness rule then uses it), refusals, and the bulletin's list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.timetable import DEFAULT_RULES
from ledger.vocab import ContactRole, EntryStatus, RequestState
from models import Contact, Obligation
from reports.bulletin import build
from services.audit import Actor
from services.extensions import ExtensionRefused, decide, request_extension
from services.identity import identify
from services.quarter_year_data import quarter_data
from services.reporting import Draft, ReportRefused, Source, submit
from services.status import period_status
from tests.factories import make_plan, make_task, make_unit

TZ = ZoneInfo("Asia/Shanghai")
MARCH = Period(2023, 3)
FRIDAY = datetime(2023, 4, 7, 2, 0, tzinfo=UTC)  # 10:00 on the deadline day
MONDAY = datetime(2023, 4, 10, 2, 0, tzinfo=UTC)  # after it
CONTACT, STAFF = 1001, 9001


async def _request(session: AsyncSession, number: int, until: date, at: datetime = FRIDAY):
    identity = await identify(session, CONTACT)
    return await request_extension(
        session, identity=identity, number=number, plan_code=None, until=until, reason="征地",
        period=MARCH, source=Source(CONTACT, "张三", CONTACT, None, at), admin_ids=[STAFF],
        rules=DEFAULT_RULES, tz=TZ,
    )  # fmt: skip


async def test_an_approved_extension_moves_one_due_instant(session: AsyncSession) -> None:
    transport = await make_unit(session, "市交通运输局")
    water = await make_unit(session, "市水务局")
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 5, leads=[transport])
    await make_task(session, plan, 6, leads=[transport])
    await make_task(session, plan, 8, leads=[water])
    session.add(Contact(telegram_user_id=CONTACT, unit_id=transport.id, role=ContactRole.CONTACT))
    await session.flush()
    await period_status(session, period=MARCH, now=FRIDAY, rules=DEFAULT_RULES, tz=TZ)

    with pytest.raises(ReportRefused, match="task_not_yours"):
        await _request(session, 8, date(2023, 4, 14))
    with pytest.raises(ExtensionRefused, match="extend_not_later"):
        await _request(session, 5, date(2023, 4, 7))  # the deadline day itself: not later
    asked = await _request(session, 5, date(2023, 4, 14))
    assert (asked.request.after_deadline, asked.staff) == (False, [(STAFF, None)])
    with pytest.raises(ExtensionRefused, match="extend_pending"):
        await _request(session, 5, date(2023, 4, 20))

    decided = await decide(session, request_id=asked.request.id, approve=True,
                           actor=Actor.telegram(STAFF, STAFF), now=FRIDAY, tz=TZ)  # fmt: skip
    assert decided.request.state == RequestState.APPROVED
    assert [p.user_id for p in decided.people] == [CONTACT]
    with pytest.raises(ExtensionRefused, match="extension_decided"):
        await decide(session, request_id=asked.request.id, approve=False,
                     actor=Actor.telegram(STAFF, STAFF), now=FRIDAY, tz=TZ)  # fmt: skip
    dues = {t: d for t, d in await session.execute(select(Obligation.task_id, Obligation.due_at))}
    # Task 5 is due when 14 April ends (16:00 UTC that day); task 6 keeps 7 April.
    assert sorted(dues.values()) == [
        datetime(2023, 4, 7, 16, 0, tzinfo=UTC), datetime(2023, 4, 7, 16, 0, tzinfo=UTC),
        datetime(2023, 4, 14, 16, 0, tzinfo=UTC),
    ]  # fmt: skip

    identity = await identify(session, CONTACT)
    late = {}
    for number in (5, 6):
        recorded = await submit(
            session, identity=identity, draft=Draft(number, EntryStatus.ON_TRACK, "推进中"),
            period=MARCH, source=Source(CONTACT, "张三", CONTACT, None, MONDAY),
            rules=DEFAULT_RULES, tz=TZ,
        )  # fmt: skip
        late[number] = recorded.entry.late
    assert late == {5: False, 6: True}

    after = await _request(session, 6, date(2023, 4, 21), at=MONDAY)
    assert after.request.after_deadline is True  # allowed, and marked
    declined = await decide(session, request_id=after.request.id, approve=False,
                            actor=Actor.telegram(STAFF, STAFF), now=MONDAY, tz=TZ,
                            note="理由不充分")  # fmt: skip
    assert (declined.request.state, declined.request.decision_note) == (
        RequestState.REJECTED, "理由不充分"
    )  # fmt: skip

    data = await quarter_data(session, quarter=Quarter(2023, 1), rules=DEFAULT_RULES, tz=TZ,
                              now=MONDAY + timedelta(days=30))  # fmt: skip
    assert data is not None
    assert (
        "本季度批准延期1项：市交通运输局任务5（2023-03台账，延至2023-04-14）。"
        in build(data).summary
    )
