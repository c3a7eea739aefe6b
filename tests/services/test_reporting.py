"""Reporting, versions, 审定 and status on a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.timetable import DEFAULT_RULES, AsOf
from ledger.vocab import ContactRole, EntryState, EntryStatus, UnitKind
from models import Contact, Evidence, LedgerPeriod, ProgressEntry, UnitMember
from services.identity import Identity, identify
from services.periods import open_period
from services.reporting import Draft, ReportRefused, Source, submit
from services.reviewing import review
from services.status import period_status, task_status
from tests.factories import make_plan, make_task, make_unit

TZ = ZoneInfo("Asia/Shanghai")
MARCH = Period(2023, 3)
ON_TIME = datetime(2023, 4, 3, 2, 0, tzinfo=UTC)  # 10:00 on 3 April in Shanghai
LATE = datetime(2023, 4, 12, 2, 0, tzinfo=UTC)
CONTACT, PRINCIPAL, OTHER = 1001, 1002, 2001
AS_OF = AsOf(now=ON_TIME, rules=DEFAULT_RULES, tz=TZ)


@pytest.fixture
async def registry(session: AsyncSession) -> dict[str, int]:
    transport = await make_unit(session, "市交通运输局")
    water = await make_unit(session, "市水务局")
    counties = await make_unit(session, "各县(区)", UnitKind.COLLECTIVE)
    yanjiang = await make_unit(session, "雁江区", UnitKind.COUNTY)
    session.add(UnitMember(collective_id=counties.id, member_id=yanjiang.id))
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 5, leads=[transport], supports=[counties])
    await make_task(session, plan, 6, leads=[transport])
    await make_task(session, plan, 8, leads=[water], supports=[transport])
    await make_task(session, plan, 3, leads=[counties])
    for user, unit, role in [
        (CONTACT, transport, ContactRole.CONTACT),
        (OTHER, water, ContactRole.CONTACT),
        (3001, yanjiang, ContactRole.CONTACT),
    ]:
        session.add(Contact(telegram_user_id=user, unit_id=unit.id, role=role))
    await session.flush()
    return {"transport": transport.id, "water": water.id, "yanjiang": yanjiang.id}


async def _submit(
    session: AsyncSession,
    user: int,
    number: int,
    *,
    at: datetime = ON_TIME,
    message_id: int | None = None,
    status: EntryStatus = EntryStatus.ON_TRACK,
    text: str = "进展",
    evidence: list[dict[str, str | None]] | None = None,
):
    identity = await identify(session, user)
    return await submit(
        session,
        identity=identity,
        draft=Draft(number, status, text, evidence=evidence or []),
        period=MARCH,
        source=Source(user, "张三", user, message_id, at),
        rules=DEFAULT_RULES,
        tz=TZ,
    )


async def test_submit_counts_at_once_without_principal(
    session: AsyncSession, registry: dict[str, int]
) -> None:
    recorded = await _submit(session, CONTACT, 5, message_id=10)
    entry = recorded.entry
    # No principal: it counts at once, as "not reviewed" (accepted), never as approved.
    assert (entry.version, entry.state, entry.late, recorded.principals) == (
        1,
        EntryState.ACCEPTED,
        False,
        [],
    )
    assert (entry.reporter_user_id, entry.chat_id, entry.message_id) == (CONTACT, CONTACT, 10)


async def test_redelivered_message_is_not_a_second_entry(
    session: AsyncSession, registry: dict[str, int]
) -> None:
    first = await _submit(session, CONTACT, 5, message_id=10)
    again = await _submit(session, CONTACT, 5, message_id=10)
    assert again.duplicate and again.entry.id == first.entry.id


async def test_edit_adds_a_version_and_keeps_history(
    session: AsyncSession, registry: dict[str, int]
) -> None:
    await _submit(session, CONTACT, 5, text="第一版")
    second = await _submit(session, CONTACT, 5, text="第二版", at=LATE)
    assert (second.entry.version, second.entry.late) == (2, True)
    rows = (await session.scalars(select(ProgressEntry).order_by(ProgressEntry.version))).all()
    assert [(r.version, r.is_current, r.progress) for r in rows] == [
        (1, False, "第一版"),
        (2, True, "第二版"),
    ]


async def test_only_the_units_own_tasks(session: AsyncSession, registry: dict[str, int]) -> None:
    with pytest.raises(ReportRefused) as refused:
        await _submit(session, CONTACT, 8)  # transport only supports task 8
    assert refused.value.key == "task_not_yours"
    with pytest.raises(ReportRefused) as refused:
        await _submit(session, 999, 5)  # unknown user
    assert refused.value.key == "not_contact"
    member = await _submit(session, 3001, 3)  # 雁江区 owes task 3 through 各县(区)
    assert member.unit_name == "雁江区"


async def test_principal_approves_or_returns(
    session: AsyncSession, registry: dict[str, int]
) -> None:
    session.add(
        Contact(
            telegram_user_id=PRINCIPAL, unit_id=registry["transport"], role=ContactRole.PRINCIPAL
        )
    )
    await session.flush()
    recorded = await _submit(session, CONTACT, 5)
    assert recorded.principals == [PRINCIPAL] and recorded.entry.state is EntryState.SUBMITTED
    status = await period_status(session, period=MARCH, unit_ids=[registry["transport"]], **AS_OF)
    unit = status.units[0]
    assert (unit.owed, unit.submitted, unit.awaiting_approval) == (2, 0, 1)

    with pytest.raises(ReportRefused):  # a contact is not the principal
        await _review(session, await identify(session, CONTACT), recorded.entry.id, True)
    reviewed = await _review(session, await identify(session, PRINCIPAL), recorded.entry.id, True)
    assert reviewed.approved and reviewed.entry.state is EntryState.APPROVED
    with pytest.raises(ReportRefused) as twice:
        await _review(session, await identify(session, PRINCIPAL), recorded.entry.id, False)
    assert twice.value.key == "already_reviewed"

    returned = await _submit(session, CONTACT, 6)
    back = await _review(session, await identify(session, PRINCIPAL), returned.entry.id, False)
    assert back.entry.state is EntryState.RETURNED and back.entry.review_note == "请补充数据"


async def _review(session: AsyncSession, identity: Identity, entry_id: int, approve: bool):
    return await review(
        session,
        identity=identity,
        entry_id=entry_id,
        approve=approve,
        note=None if approve else "请补充数据",
        now=ON_TIME,
        chat_id=identity.user_id,
    )


async def test_status_by_unit_and_task(session: AsyncSession, registry: dict[str, int]) -> None:
    await _submit(session, CONTACT, 5, status=EntryStatus.BEHIND)
    status = await period_status(session, period=MARCH, **AS_OF)
    by_name = {u.unit: u for u in status.units}
    assert set(by_name) == {"市交通运输局", "市水务局", "雁江区"}
    assert (by_name["市交通运输局"].owed, by_name["市交通运输局"].submitted) == (2, 1)
    assert (by_name["市水务局"].submitted, by_name["市水务局"].missing) == (0, 1)
    [task] = await task_status(session, period=MARCH, number=5, **AS_OF)
    assert [(u.unit, u.submitted) for u in task.units] == [("市交通运输局", 1)]
    assert await task_status(session, period=MARCH, number=99, **AS_OF) == []


async def test_evidence_is_stored(session: AsyncSession, registry: dict[str, int]) -> None:
    recorded = await _submit(
        session,
        CONTACT,
        5,
        evidence=[
            {
                "kind": "photo",
                "file_id": "AgAD1",
                "file_unique_id": "u1",
                "file_name": None,
                "caption": "现场",
            }
        ],
    )
    stored = (await session.scalars(select(Evidence))).all()
    assert [(e.entry_id, e.file_id, e.caption) for e in stored] == [
        (recorded.entry.id, "AgAD1", "现场"),
    ]


async def test_open_period(session: AsyncSession) -> None:
    april_3 = datetime(2023, 4, 3, 2, 0, tzinfo=UTC)
    assert await open_period(session, now=april_3, tz=TZ) == MARCH  # nothing prompted yet
    session.add(LedgerPeriod(key="2023-02", due_at=april_3, prompted_at=april_3))
    await session.flush()
    assert await open_period(session, now=april_3, tz=TZ) == Period(2023, 2)
