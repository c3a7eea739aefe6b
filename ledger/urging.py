"""催办: when staff may chase a unit about its missing reports.

A unit is chased only about what it still owes (owed, neither counted nor waiting for 审定),
and at most once per day in the bureau's zone: a second press the same day is refused and says
when the first went.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def urge_day(moment: datetime, tz: ZoneInfo) -> date:
    """The bureau's day a 催办 belongs to (the once-a-day key)."""
    return moment.astimezone(tz).date()


def urge_refusal(
    *, missing: int, reachable: int, last_sent_at: datetime | None, now: datetime, tz: ZoneInfo
) -> str | None:
    """Why the unit may not be chased now (a message key), or None when it may."""
    if missing == 0:
        return "nothing_missing"
    if last_sent_at is not None and urge_day(last_sent_at, tz) == urge_day(now, tz):
        return "already_urged"
    if reachable == 0:
        return "nobody_to_urge"
    return None
