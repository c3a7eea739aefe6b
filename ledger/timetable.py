"""When every prompt, reminder, escalation and digest fires: exact instants in the bureau's zone.

Everything is derived from the rules and the calendar, never from a scheduler's memory, so the
scheduler can ask `events_between(last_seen, now)` after downtime and get exactly what it missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Literal, Protocol, Self, TypedDict, TypeVar, get_args
from zoneinfo import ZoneInfo

from ledger.periods import Period, Quarter
from ledger.workdays import add_workdays, next_workday, previous_workday

BUREAU_TZ = ZoneInfo("Asia/Shanghai")
DeadlineShift = Literal["next_workday", "none"]
_DAY = timedelta(days=1)
_Kind = Literal["ledger", "milestone"]


@dataclass(frozen=True)
class CalendarRules:
    """The calendar knobs of config.Settings as plain values (days are days of the next month).

    Milestone checks have no settings of their own: by default lead units get a reminder 2 working
    days before the quarter's last working day (no extra reminder on that day) and are escalated
    the working day after it, mirroring the monthly ledger.
    """

    prompt_day: int = 1
    deadline_day: int = 7
    send_time: time = time(9)
    reminder_workdays_before: tuple[int, ...] = (2,)
    remind_on_deadline_day: bool = True
    deadline_shift: DeadlineShift = "next_workday"
    escalation_workdays_after: int = 1
    yellow_workdays: int = 2
    milestone_check_workdays_before: int = 5
    milestone_reminder_workdays_before: tuple[int, ...] = (2,)
    milestone_escalation_workdays_after: int = 1
    digest_weekday: int = 0
    close_workdays_after_escalation: int = 5
    support_workdays_before: int = 2  # 配合单位反馈 is due this many working days before the lead's

    def __post_init__(self) -> None:
        # Settings hands over lists; tuples keep the rules hashable (schedules are cached on them).
        for name in ("reminder_workdays_before", "milestone_reminder_workdays_before"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        counts = (*self.reminder_workdays_before, *self.milestone_reminder_workdays_before)
        counts += (self.escalation_workdays_after, self.milestone_escalation_workdays_after)
        if min(*counts, self.milestone_check_workdays_before) < 1:
            raise ValueError("reminder, escalation and milestone working-day counts must be >= 1")
        if not 1 <= self.prompt_day <= self.deadline_day <= 28:
            raise ValueError("need 1 <= prompt_day <= deadline_day <= 28")
        if self.send_time.tzinfo is not None or self.deadline_shift not in get_args(DeadlineShift):
            raise ValueError("send_time is a naive wall-clock time; deadline_shift a DeadlineShift")
        if self.yellow_workdays < 0 or not 0 <= self.digest_weekday <= 6:
            raise ValueError("need yellow_workdays >= 0 and digest_weekday 0 (Monday) .. 6")
        if min(self.close_workdays_after_escalation, self.support_workdays_before) < 0:
            raise ValueError("close_ and support_workdays_before must be >= 0")


DEFAULT_RULES = CalendarRules()


class AsOf(TypedDict):
    """A moment and the calendar it is read in: the keyword arguments every read of the ledger
    of record takes (`period_status(session, period=p, **as_of)`)."""

    now: datetime
    rules: CalendarRules
    tz: ZoneInfo


def at_local(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The instant `wall` o'clock on `day` in `tz`, normalised through UTC.

    A wall time skipped by a DST change moves forward by the gap; a doubled one is its first
    occurrence. Either way the result is one real instant, unlike a cron trigger's wall clock.
    """
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC).astimezone(tz)


def to_utc(moment: datetime) -> datetime:
    """`moment` in UTC, for storage and comparisons across zones; naive input is a ValueError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} is naive: pass an aware datetime")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Schedule:
    """One obligation's timetable: asked at `prompt_at`, due when day `deadline` ends."""

    key: str
    prompt_at: datetime
    deadline: date
    due_at: datetime  # the end of the deadline day (midnight after it)
    reminders: tuple[datetime, ...]
    escalation_at: datetime
    close_at: datetime  # the ledger closes: its obligations are frozen from then on


# A monthly ledger and a quarter-end milestone check share one shape.
LedgerSchedule = Schedule
MilestoneSchedule = Schedule


def _schedule(
    key: str, asked_on: date, deadline: date, kind: _Kind, rules: CalendarRules, tz: ZoneInfo
) -> Schedule:
    """Build a timetable; reminders that would not fall strictly between prompt and due drop."""
    send = rules.send_time
    if kind == "ledger":
        before, on_deadline = rules.reminder_workdays_before, rules.remind_on_deadline_day
        escalate_after = rules.escalation_workdays_after
    else:
        before, on_deadline = rules.milestone_reminder_workdays_before, False
        escalate_after = rules.milestone_escalation_workdays_after
    prompt_at = at_local(asked_on, send, tz)
    due_at = at_local(deadline + _DAY, time(0), tz)
    days = {add_workdays(deadline, -n) for n in before}
    if on_deadline:  # the deadline itself, or the last working day before one that is not
        days.add(previous_workday(deadline))
    times = (at_local(day, send, tz) for day in sorted(days))
    reminders = tuple(t for t in times if prompt_at < t < due_at)
    escalation_day = add_workdays(deadline, escalate_after)
    escalation = at_local(escalation_day, send, tz)
    closing = add_workdays(escalation_day, rules.close_workdays_after_escalation)
    return Schedule(
        key, prompt_at, deadline, due_at, reminders, escalation, at_local(closing, send, tz)
    )


@lru_cache(maxsize=512)
def _ledger(period: Period, rules: CalendarRules, tz: ZoneInfo) -> Schedule:
    month = period.next()
    asked_on = next_workday(date(month.year, month.month, rules.prompt_day))
    deadline = date(month.year, month.month, rules.deadline_day)
    if rules.deadline_shift == "next_workday":
        deadline = next_workday(deadline)
    # A long holiday can push the prompt past the deadline: nobody is due before being asked.
    deadline = max(deadline, asked_on)
    return _schedule(period.key, asked_on, deadline, "ledger", rules, tz)


def ledger_schedule(
    period: Period, rules: CalendarRules = DEFAULT_RULES, tz: ZoneInfo = BUREAU_TZ
) -> Schedule:
    """The monthly ledger of `period`: prompted and due in the next month, sends on working days."""
    return _ledger(period, rules, tz)


@lru_cache(maxsize=128)
def _milestone(quarter: Quarter, rules: CalendarRules, tz: ZoneInfo) -> Schedule:
    asked_on = add_workdays(quarter.last_day, -rules.milestone_check_workdays_before)
    deadline = previous_workday(quarter.last_day)
    return _schedule(quarter.key, asked_on, deadline, "milestone", rules, tz)


def milestone_schedule(
    quarter: Quarter, rules: CalendarRules = DEFAULT_RULES, tz: ZoneInfo = BUREAU_TZ
) -> Schedule:
    """Quarter-end milestone check: asked N working days before the quarter ends, due at the end
    of its last working day, reminded and escalated per the milestone rules."""
    return _milestone(quarter, rules, tz)


def is_late(submitted_at: datetime, schedule: Schedule) -> bool:
    """True if the submission arrived after the deadline day ended."""
    return to_utc(submitted_at) >= to_utc(schedule.due_at)


def _digests(
    start: datetime, end: datetime, rules: CalendarRules, tz: ZoneInfo
) -> Iterator[tuple[str, datetime]]:
    """(nominal day, fire time) of each weekly digest in [start, end).

    The digest of the week that starts on its nominal weekday goes out on the first working day of
    that 7-day slot, so a moved digest never meets the next one; a slot without any working day
    (possible only in a very long holiday) has no digest.
    """
    lo, hi = to_utc(start), to_utc(end)
    first = start.astimezone(tz).date() - 6 * _DAY
    nominal = first + ((rules.digest_weekday - first.weekday()) % 7) * _DAY
    while nominal <= end.astimezone(tz).date():
        day = next_workday(nominal)
        fire_at = at_local(day, rules.send_time, tz)
        if day < nominal + 7 * _DAY and lo <= to_utc(fire_at) < hi:
            yield nominal.isoformat(), fire_at
        nominal += 7 * _DAY


def digest_times(
    start: datetime, end: datetime, rules: CalendarRules = DEFAULT_RULES, tz: ZoneInfo = BUREAU_TZ
) -> list[datetime]:
    """Fire times of the weekly digests (Monday 09:00 by default) in [start, end)."""
    return [fire_at for _, fire_at in _digests(start, end, rules, tz)]


class EventKind(StrEnum):
    """What fires; the value is the job-id prefix. Same-instant events sort in this order."""

    LEDGER_PROMPTS = "ledger-prompts"
    REMINDERS = "reminders"
    ESCALATIONS = "escalations"
    MILESTONE_CHECKS = "milestone-checks"
    MILESTONE_REMINDERS = "milestone-reminders"
    MILESTONE_ESCALATIONS = "milestone-escalations"
    DIGESTS = "digests"
    PERIOD_CLOSE = "period-close"


_RANK = {kind: rank for rank, kind in enumerate(EventKind)}


@dataclass(frozen=True)
class Event:
    """One scheduled send. `key` is 'YYYY-MM', 'YYYYQn' or, for digests, the nominal ISO day."""

    kind: EventKind
    key: str
    fire_at: datetime

    @property
    def fire_at_utc(self) -> datetime:
        return self.fire_at.astimezone(UTC)

    @property
    def id(self) -> str:
        """Stable job id such as 'reminders:2023-09:2023-10-05' (one event per kind, key, day)."""
        return f"{self.kind}:{self.key}:{self.fire_at.date().isoformat()}"


class _Unit(Protocol):
    def next(self) -> Self: ...
    def prev(self) -> Self: ...


_U = TypeVar("_U", bound=_Unit)


def _units(
    guess: _U, schedule: Callable[[_U], Schedule], lo: datetime, hi: datetime
) -> list[Schedule]:
    """Schedules with any event in [lo, hi); prompts and closings grow with the unit."""
    while to_utc(schedule(guess).prompt_at) < hi:
        guess = guess.next()
    found = []
    unit = guess.prev()
    while to_utc((current := schedule(unit)).close_at) >= lo:
        found.append(current)
        unit = unit.prev()
    return found[::-1]


def events_between(
    start: datetime, end: datetime, rules: CalendarRules = DEFAULT_RULES, tz: ZoneInfo = BUREAU_TZ
) -> list[Event]:
    """Every scheduled send with `start <= fire_at < end`, in firing order (times in `tz`)."""
    lo, hi = to_utc(start), to_utc(end)
    if lo >= hi:
        return []
    last_day = end.astimezone(tz).date()
    found: list[Event] = []

    def add(kind: EventKind, key: str, times: Iterable[datetime]) -> None:
        found.extend(Event(kind, key, t) for t in times if lo <= to_utc(t) < hi)

    for s in _units(Period.of(last_day), lambda p: _ledger(p, rules, tz), lo, hi):
        add(EventKind.LEDGER_PROMPTS, s.key, (s.prompt_at,))
        add(EventKind.REMINDERS, s.key, s.reminders)
        add(EventKind.ESCALATIONS, s.key, (s.escalation_at,))
        add(EventKind.PERIOD_CLOSE, s.key, (s.close_at,))
    for s in _units(Quarter.of(last_day), lambda q: _milestone(q, rules, tz), lo, hi):
        add(EventKind.MILESTONE_CHECKS, s.key, (s.prompt_at,))
        add(EventKind.MILESTONE_REMINDERS, s.key, s.reminders)
        add(EventKind.MILESTONE_ESCALATIONS, s.key, (s.escalation_at,))
    found.extend(Event(EventKind.DIGESTS, key, t) for key, t in _digests(start, end, rules, tz))
    found.sort(key=lambda e: (e.fire_at_utc, _RANK[e.kind], e.key))
    return found


def next_event(
    after: datetime, rules: CalendarRules = DEFAULT_RULES, tz: ZoneInfo = BUREAU_TZ
) -> Event:
    """The first event with `fire_at >= after`: what the scheduler should wake up for next."""
    span = timedelta(days=16)
    while not (events := events_between(after, after + span, rules, tz)):
        span *= 2  # only a holiday longer than the window leaves it empty
    return events[0]
