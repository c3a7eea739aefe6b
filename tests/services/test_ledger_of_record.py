"""The ledger of record on real SQLite and PostgreSQL: windows, several plans, dated pauses,
frozen periods, the one lateness rule, 审定 truth. Every expected figure is written by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.timetable import DEFAULT_RULES, AsOf
from ledger.vocab import ContactRole, EntryStatus, MilestoneOutcome, UnitKind
from models import AuditLog, Contact, Milestone, MilestoneResult, Obligation, UnitMember
from services.audit import Actor
from services.due import ledger_recipients, review_recipients
from services.identity import identify
from services.milestones import record_answer
from services.obligations import refresh, refresh_contacts, set_closed
from services.pauses import pause, resume
from services.plans import carry_over
from services.reporting import AmbiguousTask, Draft, ReportRefused, Source, submit
from services.reviewing import review
from services.status import period_status
from tests.factories import make_plan, make_task, make_unit

TZ = ZoneInfo("Asia/Shanghai")
CLI = Actor.cli()


def at(text: str) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def as_of(text: str) -> AsOf:
    return AsOf(now=at(text), rules=DEFAULT_RULES, tz=TZ)


async def owed(session: AsyncSession, period: str, moment: str) -> dict[str, list[str]]:
    """unit name → ['CODE/N', …] it owes, as /status reads it."""
    status = await period_status(session, period=Period.parse(period), **as_of(moment))
    return {
        u.unit: [f"{o.plan_code}/{o.task_number}" for o in u.obligations]
        for u in status.units
        if u.owed
    }


async def bind(session: AsyncSession, user: int, unit_id: int, role: ContactRole) -> None:
    session.add(Contact(telegram_user_id=user, unit_id=unit_id, role=role))
    await session.flush()
    await refresh_contacts(session, [unit_id])


async def report(
    session: AsyncSession,
    user: int,
    number: int,
    period: str,
    when: str,
    *,
    code: str | None = None,
    task_id: int | None = None,
    status: EntryStatus = EntryStatus.ON_TRACK,
    message_id: int | None = None,
):
    return await submit(
        session,
        identity=await identify(session, user),
        draft=Draft(number, status, f"任务{number}进展", plan_code=code, task_id=task_id),
        period=Period.parse(period),
        source=Source(user, "填报人", user, message_id, at(when)),
        rules=DEFAULT_RULES,
        tz=TZ,
    )


async def test_a_plan_owes_only_within_its_window(session: AsyncSession) -> None:
    """The 2023 points were issued on 2023-03-07: January and February owe nothing."""
    anyue = await make_unit(session, "安岳县", UnitKind.COUNTY)
    plan = await make_plan(session, 2023, "成资同城化发展2023年工作要点", first="2023-03")
    await make_task(session, plan, 3, leads=[anyue])
    await make_task(session, plan, 4, leads=[anyue])
    january = await period_status(session, period=Period(2023, 1), **as_of("2023-02-01 09:00"))
    assert (january.covered, january.units) == (False, [])
    assert await owed(session, "2023-03", "2023-04-03 09:00") == {
        "安岳县": ["工作要点/3", "工作要点/4"]
    }
    # No 2024 plan: 2024-01 owes nothing (no silent fall-back to the 2023 plan).
    next_year = await period_status(session, period=Period(2024, 1), **as_of("2024-02-01 09:00"))
    assert (next_year.covered, next_year.units) == (False, [])


async def test_two_plans_side_by_side_and_an_ambiguous_task_number(session: AsyncSession) -> None:
    anyue = await make_unit(session, "安岳县", UnitKind.COUNTY)
    points = await make_plan(session, 2023, "成资同城化发展2023年工作要点")
    ten = await make_plan(session, 2023, "成德眉资同城化十件大事", code="十件大事")
    await make_task(session, points, 5, leads=[anyue])
    await make_task(session, points, 6, leads=[anyue])
    big = await make_task(session, ten, 5, leads=[anyue])
    await bind(session, 7001, anyue.id, ContactRole.CONTACT)
    assert await owed(session, "2023-05", "2023-06-01 09:00") == {
        "安岳县": ["工作要点/5", "工作要点/6", "十件大事/5"]
    }
    with pytest.raises(AmbiguousTask) as ambiguous:
        await report(session, 7001, 5, "2023-05", "2023-06-02 10:00")
    assert [(code, title) for _, code, title in ambiguous.value.options] == [
        ("工作要点", "成资同城化发展2023年工作要点"),
        ("十件大事", "成德眉资同城化十件大事"),
    ]
    by_code = await report(session, 7001, 5, "2023-05", "2023-06-02 10:00", code="十件大事")
    assert by_code.entry.task_id == big.id
    unique = await report(session, 7001, 6, "2023-05", "2023-06-02 10:05")  # only one task 6
    assert unique.entry.task_id != big.id
    with pytest.raises(ReportRefused) as wrong:
        await report(session, 7001, 6, "2023-05", "2023-06-02 10:06", code="十件大事")
    assert wrong.value.key == "task_not_yours"


async def test_dated_pause_spares_periods_already_open_or_closed(session: AsyncSession) -> None:
    """Paused from 07-01 to 09-30: the periods opening 07-03 (2023-06), 08-01 (2023-07) and
    09-01 (2023-08) owe nothing; 2023-05 was already open and keeps its obligation."""
    lezhi = await make_unit(session, "乐至县", UnitKind.COUNTY)
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 1, leads=[lezhi])
    assert await owed(session, "2023-05", "2023-06-01 09:00") == {"乐至县": ["工作要点/1"]}
    await pause(session, unit_name="乐至县", starts_on=date(2023, 7, 1), ends_on=date(2023, 9, 30),
                actor=CLI, **as_of("2023-06-20 10:00"))  # fmt: skip
    assert await owed(session, "2023-05", "2023-06-20 10:00") == {"乐至县": ["工作要点/1"]}
    for period, moment in (("2023-06", "2023-07-03"), ("2023-07", "2023-08-01"),
                           ("2023-08", "2023-09-01")):  # fmt: skip
        assert await owed(session, period, f"{moment} 09:00") == {}, period
    assert await owed(session, "2023-09", "2023-10-07 09:00") == {"乐至县": ["工作要点/1"]}


async def test_resume_owes_again_from_today(session: AsyncSession) -> None:
    lezhi = await make_unit(session, "乐至县", UnitKind.COUNTY)
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 1, leads=[lezhi])
    await pause(session, unit_name="乐至县", starts_on=date(2023, 7, 1), ends_on=None, actor=CLI,
                **as_of("2023-06-20 10:00"))  # fmt: skip
    assert await owed(session, "2023-06", "2023-07-03 09:00") == {}
    await resume(session, unit_name="乐至县", actor=CLI, **as_of("2023-07-20 10:00"))
    assert await owed(session, "2023-06", "2023-07-20 10:00") == {}  # opened while paused
    assert await owed(session, "2023-07", "2023-08-01 09:00") == {"乐至县": ["工作要点/1"]}


async def test_closed_periods_are_frozen_and_open_ones_follow_the_registry(
    session: AsyncSession,
) -> None:
    counties = await make_unit(session, "各县(区)", UnitKind.COLLECTIVE)
    yanjiang = await make_unit(session, "雁江区", UnitKind.COUNTY)
    anyue = await make_unit(session, "安岳县", UnitKind.COUNTY)
    session.add(UnitMember(collective_id=counties.id, member_id=yanjiang.id))
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 3, leads=[counties])
    assert await owed(session, "2023-03", "2023-04-03 09:00") == {"雁江区": ["工作要点/3"]}
    assert await owed(session, "2023-04", "2023-05-04 09:00") == {"雁江区": ["工作要点/3"]}
    assert await set_closed(session, Period(2023, 3), closed=True, actor=CLI,
                            **as_of("2023-04-17 09:00"))  # fmt: skip
    session.add(UnitMember(collective_id=counties.id, member_id=anyue.id))  # a new member
    await session.flush()
    changes = await refresh(session, reason="units group", actor=CLI, **as_of("2023-05-05 10:00"))
    assert changes == {"2023-04": {"added": 1, "removed": 0}}
    assert await owed(session, "2023-03", "2023-05-05 10:00") == {"雁江区": ["工作要点/3"]}
    assert await owed(session, "2023-04", "2023-05-05 10:00") == {
        "雁江区": ["工作要点/3"],
        "安岳县": ["工作要点/3"],
    }
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "obligations.refresh"))
    assert audit is not None and (audit.target, audit.details["reason"]) == (
        "2023-04",
        "units group",
    )


async def test_a_period_past_its_closing_time_is_written_closed(session: AsyncSession) -> None:
    """2023-03 closes five working days after its 04-10 escalation: 04-17."""
    transport = await make_unit(session, "市交通运输局")
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 1, leads=[transport])
    status = await period_status(session, period=Period(2023, 3), **as_of("2023-05-01 09:00"))
    assert status.ledger is not None and status.ledger.closed_at == at("2023-04-17 09:00")


async def test_first_counted_submission_decides_lateness(session: AsyncSession) -> None:
    """Due at the end of 2023-04-07. 交通: on time (04-03), corrected late (04-12): stays on
    time. 水务: on time but returned, re-sent 04-12: late."""
    transport, water = (
        await make_unit(session, "市交通运输局"),
        await make_unit(session, "市水务局"),
    )
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 1, leads=[transport])
    await make_task(session, plan, 2, leads=[water])
    await bind(session, 8001, transport.id, ContactRole.CONTACT)
    await bind(session, 8002, water.id, ContactRole.CONTACT)
    await bind(session, 8003, water.id, ContactRole.PRINCIPAL)
    first = await report(session, 8001, 1, "2023-03", "2023-04-03 10:00")
    correction = await report(session, 8001, 1, "2023-03", "2023-04-12 10:00")
    assert (first.entry.late, correction.entry.late) == (False, True)
    sent = await report(session, 8002, 2, "2023-03", "2023-04-03 10:00")
    principal = await identify(session, 8003)
    await review(session, identity=principal, entry_id=sent.entry.id, approve=False,
                 note="数据不全", now=at("2023-04-04 10:00"), chat_id=8003)  # fmt: skip
    again = await report(session, 8002, 2, "2023-03", "2023-04-12 10:00")
    await review(session, identity=principal, entry_id=again.entry.id, approve=True, note=None,
                 now=at("2023-04-12 11:00"), chat_id=8003)  # fmt: skip
    status = await period_status(session, period=Period(2023, 3), **as_of("2023-04-13 09:00"))
    units = {u.unit: u for u in status.units}
    assert (units["市交通运输局"].submitted, units["市交通运输局"].late) == (1, 0)
    assert (units["市水务局"].submitted, units["市水务局"].late) == (1, 1)
    # 交通 has no principal: counted but not approved; 水务's principal approved.
    assert [e.approved for e in units["市交通运输局"].entries] == [False]
    assert [e.approved for e in units["市水务局"].entries] == [True]
    assert (units["市交通运输局"].principal, units["市水务局"].principal) == (False, True)


async def test_nobody_reviews_their_own_report(session: AsyncSession) -> None:
    water = await make_unit(session, "市水务局")
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 2, leads=[water])
    await bind(session, 9001, water.id, ContactRole.CONTACT)
    await bind(session, 9001, water.id, ContactRole.PRINCIPAL)  # the same person
    recorded = await report(session, 9001, 2, "2023-03", "2023-04-03 10:00")
    assert recorded.principals == []  # nobody else to ask
    with pytest.raises(ReportRefused) as refused:
        await review(session, identity=await identify(session, 9001),
                     entry_id=recorded.entry.id, approve=True, note=None,
                     now=at("2023-04-03 11:00"), chat_id=9001)  # fmt: skip
    assert refused.value.key == "own_entry"


async def test_reminders_list_only_what_is_missing(session: AsyncSession) -> None:
    """交通 owes 1 and 2: 1 approved, 2 waiting for 审定 → no contact reminder; the
    principal is reminded of task 2. 水务 owes 3, nothing sent → reminded of 3."""
    transport, water = (
        await make_unit(session, "市交通运输局"),
        await make_unit(session, "市水务局"),
    )
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 1, leads=[transport])
    await make_task(session, plan, 2, leads=[transport])
    await make_task(session, plan, 3, leads=[water])
    await bind(session, 8101, transport.id, ContactRole.CONTACT)
    await bind(session, 8102, transport.id, ContactRole.PRINCIPAL)
    await bind(session, 8103, water.id, ContactRole.CONTACT)
    one = await report(session, 8101, 1, "2023-03", "2023-04-03 10:00")
    await report(session, 8101, 2, "2023-03", "2023-04-03 10:05")
    await review(session, identity=await identify(session, 8102), entry_id=one.entry.id,
                 approve=True, note=None, now=at("2023-04-03 11:00"), chat_id=8102)  # fmt: skip
    when = as_of("2023-04-05 09:00")
    reminders = await ledger_recipients(session, Period(2023, 3), only_missing=True, **when)
    assert [(r.unit, [i.number for i in r.items]) for r in reminders] == [("市水务局", [3])]
    status = await period_status(session, period=Period(2023, 3), **when)
    principals = await review_recipients(status, session)
    assert [(r.user_id, [i.number for i in r.items]) for r in principals] == [(8102, [2])]


async def test_a_milestone_answer_is_late_against_its_own_quarter(session: AsyncSession) -> None:
    transport = await make_unit(session, "市交通运输局")
    plan = await make_plan(session, 2023)
    task = await make_task(session, plan, 5, leads=[transport], milestones={1: "3月底前开工"})
    await bind(session, 8201, transport.id, ContactRole.CONTACT)
    milestone = await session.scalar(select(Milestone.id).where(Milestone.task_id == task.id))
    assert milestone is not None
    await record_answer(session, identity=await identify(session, 8201), milestone_id=milestone,
                        outcome=MilestoneOutcome.MET, explanation="已开工", chat_id=8201,
                        **as_of("2023-04-10 10:00"))  # fmt: skip
    late = await session.scalar(select(MilestoneResult.late))
    assert late is True  # Q1's check was due at the end of 2023-03-31


async def test_carry_over_takes_what_is_not_finished(session: AsyncSession) -> None:
    transport = await make_unit(session, "市交通运输局")
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 1, leads=[transport], text="已经完成的任务")
    await make_task(session, plan, 2, leads=[transport], text="还在推进的任务")
    await bind(session, 8301, transport.id, ContactRole.CONTACT)
    await report(session, 8301, 1, "2023-12", "2024-01-03 10:00", status=EntryStatus.DONE)
    await report(session, 8301, 2, "2023-12", "2024-01-03 10:05")
    result = await carry_over(session, from_year=2023, to_year=2024, code=None, actor=CLI,
                              now=at("2024-01-05 10:00"))  # fmt: skip
    assert [t["number"] for t in result.carried] == [2]
    assert [t["number"] for t in result.finished] == [1]
    assert (result.plan.year, result.plan.first_period, result.plan.tasks) == (2024, "2024-01", 1)
    assert await owed(session, "2024-01", "2024-02-01 09:00") == {
        "市交通运输局": [f"{result.plan.code}/2"]
    }


async def test_opening_twice_writes_once(session: AsyncSession) -> None:
    transport = await make_unit(session, "市交通运输局")
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 1, leads=[transport])
    for moment in ("2023-04-03 09:00", "2023-04-03 09:01"):
        await period_status(session, period=Period(2023, 3), **as_of(moment))
    count = await session.scalar(select(func.count()).select_from(Obligation))
    assert count == 1
    row = await session.scalar(select(Obligation))
    assert row is not None
    assert row.due_at == at("2023-04-08 00:00").astimezone(UTC)
    assert row.due_at - timedelta(days=1) == at("2023-04-07 00:00").astimezone(UTC)


async def test_a_large_period_is_written_in_chunks(session: AsyncSession) -> None:
    """2,500 members of one collective lead one task: 2,500 obligations, written in several
    INSERTs (12 columns × 2,500 rows is over the 32,766 parameters SQLite builds before 3.32 and
    many distributions accept in one statement)."""
    from sqlalchemy import insert

    from models import Unit

    counties = await make_unit(session, "各乡镇", UnitKind.COLLECTIVE)
    await session.execute(
        insert(Unit),
        [{"name": f"乡镇{n:04d}", "kind": UnitKind.COUNTY, "created_at": at("2023-01-01 00:00")}
         for n in range(2_500)],
    )  # fmt: skip
    members = (await session.scalars(select(Unit.id).where(Unit.name.like("乡镇%")))).all()
    await session.execute(
        insert(UnitMember), [{"collective_id": counties.id, "member_id": m} for m in members]
    )
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 1, leads=[counties])
    status = await period_status(session, period=Period(2023, 3), **as_of("2023-04-03 09:00"))
    assert (len(status.units), sum(u.owed for u in status.units)) == (2_500, 2_500)
    count = await session.scalar(select(func.count()).select_from(Obligation))
    assert count == 2_500
