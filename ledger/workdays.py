"""China's official working days, 调休 make-up days included, with a Monday–Friday fallback.

The State Council announces each year's holidays in November; `chinese_calendar` knows only the
years announced so far and raises for the rest. A bot still running in an unannounced year keeps
sending on Monday–Friday and warns once per year, rather than crashing its scheduler.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import cache

import chinese_calendar

log = logging.getLogger(__name__)
_DAY = timedelta(days=1)


@cache
def known_year(year: int) -> bool:
    """True if `chinese_calendar` has the official holiday plan for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _workday_ordinals(year: int) -> frozenset[int]:
    """A year's working days, computed once: the package rescans its tables on every call."""
    first = date(year, 1, 1)
    days = [day for day in (first + timedelta(days=i) for i in range(366)) if day.year == year]
    if known_year(year):
        return frozenset(day.toordinal() for day in days if chinese_calendar.is_workday(day))
    log.warning(
        "chinese_calendar has no holiday plan for %d: assuming Monday-Friday working days", year
    )
    return frozenset(day.toordinal() for day in days if day.weekday() < 5)


def is_workday(day: date) -> bool:
    """True on a working day of the official calendar (a 调休 Saturday is one, a holiday is not)."""
    return day.toordinal() in _workday_ordinals(day.year)


def next_workday(day: date, include_self: bool = True) -> date:
    """The first working day on or after `day` (strictly after it if not `include_self`)."""
    if not include_self:
        day += _DAY
    while not is_workday(day):
        day += _DAY
    return day


def previous_workday(day: date, include_self: bool = True) -> date:
    """The last working day on or before `day` (strictly before it if not `include_self`)."""
    if not include_self:
        day -= _DAY
    while not is_workday(day):
        day -= _DAY
    return day


def add_workdays(day: date, n: int) -> date:
    """The `n`-th working day after `day` (before it if `n < 0`); `day` itself never counts.

    `add_workdays(d, 0)` is `d` unchanged. From a Saturday, -1 is the Friday before and +1 the
    Monday after (on an ordinary week).
    """
    step = _DAY if n > 0 else -_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Signed working-day steps from `start` to `end`, the inverse of `add_workdays`.

    Going forward it counts working days in (start, end], going back minus those in [end, start),
    so `workdays_between(a, add_workdays(a, n)) == n` for any `a`.
    """
    step, sign = (_DAY, 1) if end >= start else (-_DAY, -1)
    count = 0
    day = start
    while day != end:
        day += step
        count += is_workday(day)
    return sign * count
