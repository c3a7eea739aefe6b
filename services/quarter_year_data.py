"""The data of the 季通报 (a quarter) and the 年考评 (a year): the due ledgers and milestone
checks of `services.reports`, with the quarter's 督办 facts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from ledger.timetable import CalendarRules, ledger_schedule
from reports.data import PeriodLedger, PlanInfo, QuarterData, YearData
from services.duban_reports import duban_facts
from services.reports import ledgers, milestone_checks
from services.status import period_plans


async def _plans(session: AsyncSession, periods: Iterable[Period]) -> list[PlanInfo]:
    """Every plan some of `periods` owe under, in plan order."""
    found = {PlanInfo(p.id, p.code, p.title) for period in periods
             for p in await period_plans(session, period)}  # fmt: skip
    return sorted(found)


def _titles(ledgers: list[PeriodLedger]) -> str:
    return "；".join(dict.fromkeys(ledger.plan_title for ledger in ledgers))


async def quarter_data(
    session: AsyncSession, *, quarter: Quarter, rules: CalendarRules, tz: ZoneInfo, now: datetime
) -> QuarterData | None:
    """季通报 as of `now`: the quarter's ledgers whose deadline has passed (none yet is still a
    bulletin, saying so) and its milestone checks; None when no plan covers the quarter."""
    months = await ledgers(
        session, periods=list(quarter.periods()), rules=rules, tz=tz, now=now, due_only=True
    )
    checks = await milestone_checks(session, quarter, now=now, rules=rules, tz=tz)
    known = {ledger.plan for ledger in months} | {check.plan for check in checks}
    plans = sorted(known | set(await _plans(session, quarter.periods())))
    if not plans:
        return None
    titles = "；".join(plan.title for plan in plans)
    urges, extended = await duban_facts(session, quarter, now)
    return QuarterData(quarter, titles, months, checks, now, plans, urges, extended)


async def year_data(
    session: AsyncSession,
    *,
    year: int,
    through: Period,
    rules: CalendarRules,
    tz: ZoneInfo,
    now: datetime,
) -> YearData | None:
    """年考评: the year's ledgers up to `through` whose deadline has passed, and the milestones
    of the quarters it ends."""
    periods = [Period(year, m) for m in range(1, 13) if Period(year, m) <= through]
    months = await ledgers(session, periods=periods, rules=rules, tz=tz, now=now, due_only=True)
    if not months:
        return None
    checks = []
    for q in range(1, 5):
        if Quarter(year, q).periods()[2] <= through:
            checks += await milestone_checks(session, Quarter(year, q), now=now, rules=rules, tz=tz)
    return YearData(year, _titles(months), months, checks)


def last_due_period(year: int, now: datetime, rules: CalendarRules, tz: ZoneInfo) -> Period:
    """The newest period of `year` whose deadline has passed by `now` (for a default scorecard)."""
    last = Period(year, 1).prev()
    for month in range(1, 13):
        period = Period(year, month)
        if ledger_schedule(period, rules, tz).due_at <= now:
            last = period
    return last
