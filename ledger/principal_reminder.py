"""The principal's 待办提醒: one working day before a ledger's deadline, every principal with
items waiting for them (entries to 审定, 销号 to approve) is reminded once for that period."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ledger.periods import Period
from ledger.timetable import CalendarRules, Schedule, at_local, ledger_schedule
from ledger.workdays import add_workdays

REMIND_WORKDAYS_BEFORE = 1


def reminder_at(schedule: Schedule, rules: CalendarRules, tz: ZoneInfo) -> datetime | None:
    """The send time on the working day before the deadline; None when that is not after the
    prompt (a holiday left the ledger a single day: nobody waits yet)."""
    day = add_workdays(schedule.deadline, -REMIND_WORKDAYS_BEFORE)
    at = at_local(day, rules.send_time, tz)
    return at if schedule.prompt_at < at else None


def periods_to_remind(now: datetime, rules: CalendarRules, tz: ZoneInfo) -> list[Period]:
    """The ledgers whose principal reminder is due at `now`: from its send time to the end of
    that day (a restart later that day still sends it; the next day it is not a reminder of the
    day before any more)."""
    today = now.astimezone(tz).date()
    latest = Period.of(today).prev()  # a month's ledger is due in the next month
    found = []
    for period in (latest.prev(), latest):  # a long holiday can push a deadline a month on
        at = reminder_at(ledger_schedule(period, rules, tz), rules, tz)
        if at is not None and at <= now and at.date() == today:
            found.append(period)
    return found
