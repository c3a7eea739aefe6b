"""Quarter-end milestone answers (已完成 / 部分完成 / 未完成, with an explanation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import milestone_late
from ledger.periods import Quarter
from ledger.timetable import CalendarRules
from ledger.vocab import ContactRole, MilestoneOutcome
from models import Milestone, MilestoneResult, Plan, Task
from services.audit import Actor, record
from services.due import lead_units_of_milestone
from services.identity import Identity
from services.reporting import ReportRefused


@dataclass(frozen=True)
class MilestoneAnswer:
    milestone_id: int
    task_number: int
    quarter: int
    unit_id: int
    outcome: MilestoneOutcome


async def answerable_unit(
    session: AsyncSession,
    identity: Identity,
    milestone_id: int,
    *,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> int:
    """The contact's unit that owes the milestone's task at the quarter's end; refuse others."""
    leads = await lead_units_of_milestone(session, milestone_id, now=now, rules=rules, tz=tz)
    for binding in identity.units(ContactRole.CONTACT):
        if binding.unit_id in leads:
            return binding.unit_id
    raise ReportRefused("not_your_milestone")


async def record_answer(
    session: AsyncSession,
    *,
    identity: Identity,
    milestone_id: int,
    outcome: MilestoneOutcome,
    explanation: str,
    chat_id: int,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
) -> MilestoneAnswer:
    """Store (or replace) the unit's answer; late against the milestone's own quarter."""
    unit_id = await answerable_unit(session, identity, milestone_id, now=now, rules=rules, tz=tz)
    milestone = await session.get_one(Milestone, milestone_id)
    task = await session.get_one(Task, milestone.task_id)
    year = await session.scalar(select(Plan.year).where(Plan.id == task.plan_id))
    assert year is not None
    late = milestone_late(now, Quarter(year, milestone.quarter), rules, tz)
    result = await session.scalar(
        select(MilestoneResult).where(
            MilestoneResult.milestone_id == milestone_id, MilestoneResult.unit_id == unit_id
        )
    )
    if result is None:
        result = MilestoneResult(milestone_id=milestone_id, unit_id=unit_id, created_at=now)
        session.add(result)
    result.outcome, result.explanation = outcome, explanation
    result.reporter_user_id, result.chat_id = identity.user_id, chat_id
    result.submitted_at, result.late = now, late
    record(
        session,
        Actor.telegram(identity.user_id, chat_id),
        "milestone.answer",
        f"{task.number}/Q{milestone.quarter}",
        outcome=outcome.value,
        unit_id=unit_id,
    )
    return MilestoneAnswer(milestone_id, task.number, milestone.quarter, unit_id, outcome)


async def task_number_of(session: AsyncSession, milestone_id: int) -> int:
    number = await session.scalar(
        select(Task.number)
        .join(Milestone, Milestone.task_id == Task.id)
        .where(Milestone.id == milestone_id)
    )
    return number or 0
