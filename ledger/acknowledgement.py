"""签收: when an unacknowledged assignment (交办) earns its one reminder."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ledger.timetable import at_local
from ledger.workdays import add_workdays

ACKNOWLEDGE_WITHIN_WORKDAYS = 2


def reminder_at(sent_at: datetime, send_time: time, tz: ZoneInfo) -> datetime:
    """The moment the 签收 reminder goes: the bureau's send time on the second working day
    after the day the assignment was sent (sent Friday → reminded Tuesday)."""
    day = add_workdays(sent_at.astimezone(tz).date(), ACKNOWLEDGE_WITHIN_WORKDAYS)
    return at_local(day, send_time, tz)
