"""A quarter's milestone targets and the lead units' answers: met, partly, missed, unanswered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.timetable import CalendarRules
from ledger.vocab import MilestoneOutcome
from models import Milestone, MilestoneResult, Obligation, Plan, Task, TaskUnit, Unit
from services.obligations import open_ledger


@dataclass(frozen=True)
class Answer:
    unit_id: int
    unit: str
    outcome: MilestoneOutcome | None  # None: not answered (yet)
    explanation: str = ""


@dataclass
class Target:
    milestone_id: int
    task_id: int
    plan: str
    number: int
    quarter: Quarter
    target: str
    answers: list[Answer] = field(default_factory=list)


def tally(targets: list[Target]) -> Counter[MilestoneOutcome | None]:
    """How many answers are met / partly / not met, and how many are still missing (None)."""
    return Counter(a.outcome for t in targets for a in t.answers)


async def quarter_targets(
    session: AsyncSession,
    quarter: Quarter,
    *,
    current: Period,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
    unit_ids: list[int] | None = None,
    task_ids: list[int] | None = None,
) -> list[Target]:
    """The quarter's targets with one answer per unit owing the task: in the quarter's last
    period, or in the open period while the quarter runs (a future ledger is never opened)."""
    period = min(quarter.periods()[2], current)
    await open_ledger(session, period, now=now, rules=rules, tz=tz)
    query = (
        select(Milestone.id, Task.id, Plan.code, Task.number, Milestone.target)
        .join(Task, Task.id == Milestone.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Plan.year == quarter.year, Milestone.quarter == quarter.number)
        .order_by(Plan.id, Task.number)
    )
    if task_ids is not None:
        query = query.where(Task.id.in_(task_ids))
    targets = [
        Target(m, t, c, n, quarter, text) for m, t, c, n, text in await session.execute(query)
    ]
    by_task = {t.task_id: t for t in targets}
    listed = (TaskUnit.task_id == Obligation.task_id) & (TaskUnit.role == Obligation.role)
    listed &= TaskUnit.unit_id == func.coalesce(Obligation.via_unit_id, Obligation.unit_id)
    owing = (
        select(Obligation.task_id, Obligation.unit_id, Unit.name)
        .join(Unit, Unit.id == Obligation.unit_id)
        .outerjoin(TaskUnit, listed)
    )
    owing = owing.where(Obligation.period == period.key, Obligation.task_id.in_(list(by_task)))
    if unit_ids is not None:
        owing = owing.where(Obligation.unit_id.in_(unit_ids))
    answers = {
        (r.milestone_id, r.unit_id): r
        for r in await session.scalars(
            select(MilestoneResult).where(
                MilestoneResult.milestone_id.in_([t.milestone_id for t in targets])
            )
        )
    }
    for task_id, unit_id, name in await session.execute(
        owing.order_by(TaskUnit.position, Unit.name)
    ):
        target = by_task[task_id]
        if any(a.unit_id == unit_id for a in target.answers):
            continue
        result = answers.get((target.milestone_id, unit_id))
        target.answers.append(
            Answer(unit_id, name, result.outcome if result else None,
                   result.explanation if result else "")
        )  # fmt: skip
    return [t for t in targets if t.answers or unit_ids is None]
