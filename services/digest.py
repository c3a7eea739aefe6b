"""What the weekly digest says: the open period's status, lights, deadlines and quarter milestones.

Shared by the scheduled digest (scheduler.jobs), the /digest preview and `ledgerbot digest`, so
all three always show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.timetable import CalendarRules, ledger_schedule, milestone_schedule, to_utc
from ledger.traffic_light import Light, light_for
from models import Milestone, MilestoneResult, Task
from reports.chart import ChartRow
from services.periods import open_period, plan_for
from services.status import PeriodStatus, period_status


@dataclass(frozen=True)
class DigestData:
    status: PeriodStatus
    lights: dict[int, Light]
    deadline: date  # of the digest's period
    next_deadline: date  # the next ledger deadline still ahead (may be the same)
    quarter: Quarter  # the quarter `now` is in
    milestone_deadline: date
    milestones_due: int  # targets of that quarter
    milestones_answered: int

    def chart_rows(self) -> list[ChartRow]:
        return [
            ChartRow(u.unit, u.submitted - u.late, u.late, u.awaiting_approval, u.missing)
            for u in self.status.units
            if u.owed
        ]


async def digest_data(
    session: AsyncSession,
    *,
    now: datetime,
    rules: CalendarRules,
    tz: ZoneInfo,
    period: Period | None = None,
) -> DigestData:
    """The digest of `period` (default: the open ledger) as seen at `now`."""
    period = period or await open_period(session, now=now, tz=tz)
    schedule = ledger_schedule(period, rules, tz)
    status = await period_status(session, period=period)
    lights = {u.unit_id: light_for(u.complete, now, schedule, rules) for u in status.units}
    ahead = period
    while to_utc(ledger_schedule(ahead, rules, tz).due_at) <= to_utc(now):
        ahead = ahead.next()
    quarter = Quarter.of(now.astimezone(tz).date())
    due, answered = await _milestones(session, quarter)
    return DigestData(
        status=status,
        lights=lights,
        deadline=schedule.deadline,
        next_deadline=ledger_schedule(ahead, rules, tz).deadline,
        quarter=quarter,
        milestone_deadline=milestone_schedule(quarter, rules, tz).deadline,
        milestones_due=due,
        milestones_answered=answered,
    )


async def _milestones(session: AsyncSession, quarter: Quarter) -> tuple[int, int]:
    plan = await plan_for(session, quarter.periods()[0])
    if plan is None or plan.year != quarter.year:  # targets are dated within their plan's year
        return 0, 0
    ids = (
        select(Milestone.id)
        .join(Task, Task.id == Milestone.task_id)
        .where(Task.plan_id == plan.id, Task.active, Milestone.quarter == quarter.number)
    )
    due = await session.scalar(select(func.count()).select_from(ids.subquery()))
    answered = await session.scalar(
        select(func.count(func.distinct(MilestoneResult.milestone_id))).where(
            MilestoneResult.milestone_id.in_(ids)
        )
    )
    return int(due or 0), int(answered or 0)
