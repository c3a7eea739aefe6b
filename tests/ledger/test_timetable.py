"""Timetables of the ledger, milestone checks and digests, checked against chinese_calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.periods import Period, Quarter
from ledger.timetable import (
    BUREAU_TZ,
    CalendarRules,
    Event,
    EventKind,
    Schedule,
    at_local,
    digest_times,
    events_between,
    is_late,
    ledger_schedule,
    milestone_schedule,
    next_event,
    to_utc,
)
from ledger.workdays import is_workday

SH = BUREAU_TZ
BERLIN = ZoneInfo("Europe/Berlin")
HAVANA = ZoneInfo("America/Havana")  # DST changes at midnight: the end of a deadline day
DEFAULT = CalendarRules()
# Periods whose whole timetable lies in years chinese_calendar knows (2023-01 .. 2026-11).
KNOWN_PERIODS = [Period(y, m) for y in range(2023, 2027) for m in range(1, 13)][:-1]
KNOWN_QUARTERS = [Quarter(y, n) for y in range(2023, 2027) for n in range(1, 5)][:-1]


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def first_official_workday(day: date) -> date:
    """Oracle straight from the package, independent of ledger.workdays."""
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def fire_times(s: Schedule) -> list[datetime]:
    return [s.prompt_at, *s.reminders, s.escalation_at]


def test_default_timetable_2023_09() -> None:
    """National Day 2023 (10-01..06) swallows the prompt: it goes out on the 调休 Saturday 10-07,
    which is also the deadline, so both reminders would fall at or before the prompt and drop."""
    s = ledger_schedule(Period.parse("2023-09"))
    assert s == Schedule(
        key="2023-09",
        prompt_at=sh("2023-10-07 09:00"),
        deadline=date(2023, 10, 7),
        due_at=sh("2023-10-08 00:00"),
        reminders=(),
        escalation_at=sh("2023-10-08 09:00"),  # a 调休 Sunday
        close_at=sh("2023-10-13 09:00"),  # 5 working days after: 10-09 … 10-13
    )
    q3 = milestone_schedule(Quarter.parse("2023Q3"))
    assert (q3.prompt_at, q3.deadline, q3.due_at) == (
        sh("2023-09-22 09:00"),
        date(2023, 9, 28),  # 09-29 Mid-Autumn and Saturday 09-30 are holidays
        sh("2023-09-29 00:00"),
    )
    assert q3.reminders == (sh("2023-09-26 09:00"),)
    assert q3.escalation_at == sh("2023-10-07 09:00")


@pytest.mark.parametrize(
    ("key", "shift", "prompt", "deadline", "reminders", "escalation"),
    [
        # 2024-01-01 is New Year's Day; the 7th a Sunday.
        ("2023-12", "next_workday", "2024-01-02", "2024-01-08", ["2024-01-04", "2024-01-08"],
         "2024-01-09"),
        ("2023-12", "none", "2024-01-02", "2024-01-07", ["2024-01-04", "2024-01-05"],
         "2024-01-08"),
        # Spring Festival 2024 starts after the deadline; an ordinary month.
        ("2024-01", "next_workday", "2024-02-01", "2024-02-07", ["2024-02-05", "2024-02-07"],
         "2024-02-08"),
        # National Day 2024 runs to Monday 10-07: prompt and deadline both land on 10-08.
        ("2024-09", "next_workday", "2024-10-08", "2024-10-08", [], "2024-10-09"),
        ("2024-09", "none", "2024-10-08", "2024-10-08", [], "2024-10-09"),  # never due before asked
        # Spring Festival 2025: prompt on 02-05, escalation on the 调休 Saturday 02-08.
        ("2025-01", "next_workday", "2025-02-05", "2025-02-07", ["2025-02-07"], "2025-02-08"),
        ("2025-09", "next_workday", "2025-10-09", "2025-10-09", [], "2025-10-10"),
        ("2026-09", "next_workday", "2026-10-08", "2026-10-08", [], "2026-10-09"),
    ],
)  # fmt: skip
def test_pinned_ledger_schedules(
    key: str, shift: str, prompt: str, deadline: str, reminders: list[str], escalation: str
) -> None:
    rules = CalendarRules(deadline_shift="none" if shift == "none" else "next_workday")
    s = ledger_schedule(Period.parse(key), rules)
    assert s.prompt_at == sh(f"{prompt} 09:00")
    assert s.deadline == date.fromisoformat(deadline)
    assert s.due_at == sh(f"{deadline} 00:00") + timedelta(days=1)
    assert s.reminders == tuple(sh(f"{r} 09:00") for r in reminders)
    assert s.escalation_at == sh(f"{escalation} 09:00")


@pytest.mark.parametrize("period", KNOWN_PERIODS, ids=str)
@pytest.mark.parametrize("shift", ["next_workday", "none"])
def test_ledger_schedule_against_the_official_calendar(period: Period, shift: str) -> None:
    rules = CalendarRules(deadline_shift="none" if shift == "none" else "next_workday")
    s = ledger_schedule(period, rules)
    month = period.next()
    prompt_day = first_official_workday(date(month.year, month.month, 1))
    seventh = date(month.year, month.month, 7)
    deadline = first_official_workday(seventh) if shift == "next_workday" else seventh
    assert s.prompt_at == at_local(prompt_day, time(9), SH)
    assert s.deadline == max(deadline, prompt_day)
    if shift == "next_workday":
        assert chinese_calendar.is_workday(s.deadline)
    assert s.due_at == at_local(s.deadline + timedelta(days=1), time(0), SH)
    escalation_day = first_official_workday(s.deadline + timedelta(days=1))
    assert s.escalation_at == at_local(escalation_day, time(9), SH)
    for moment in fire_times(s):
        assert chinese_calendar.is_workday(moment.date())
        assert moment.timetz() == time(9, tzinfo=SH)
    assert s.prompt_at < min(s.reminders, default=s.due_at) <= s.due_at < s.escalation_at


@pytest.mark.parametrize("period", KNOWN_PERIODS, ids=str)
def test_reminders_never_on_a_non_working_day(period: Period) -> None:
    rules = CalendarRules(reminder_workdays_before=(1, 2, 3, 4, 5))
    for reminder in ledger_schedule(period, rules).reminders:
        assert chinese_calendar.is_workday(reminder.date())


@pytest.mark.parametrize("quarter", KNOWN_QUARTERS, ids=str)
def test_milestone_checks_against_the_official_calendar(quarter: Quarter) -> None:
    s = milestone_schedule(quarter)
    check = s.prompt_at.date()
    assert chinese_calendar.is_workday(check)
    span = [check + timedelta(days=i) for i in range((quarter.last_day - check).days)]
    assert sum(chinese_calendar.is_workday(day) for day in span) == 5  # [check, quarter end)
    assert chinese_calendar.is_workday(s.deadline)
    after = [s.deadline + timedelta(days=i) for i in range(1, (quarter.last_day - s.deadline).days)]
    assert not any(chinese_calendar.is_workday(day) for day in after)
    assert s.deadline <= quarter.last_day
    assert s.escalation_at.date() == first_official_workday(s.deadline + timedelta(days=1))
    for moment in fire_times(s):
        assert chinese_calendar.is_workday(moment.date())
    assert s.prompt_at < min(s.reminders, default=s.due_at) <= s.due_at < s.escalation_at


@pytest.mark.parametrize(
    ("key", "check", "deadline", "reminder", "escalation"),
    [
        ("2023Q3", "2023-09-22", "2023-09-28", "2023-09-26", "2023-10-07"),
        ("2024Q3", "2024-09-24", "2024-09-30", "2024-09-27", "2024-10-08"),  # 09-29 Sunday works
        ("2024Q4", "2024-12-24", "2024-12-31", "2024-12-27", "2025-01-02"),
    ],
)
def test_pinned_milestone_checks(
    key: str, check: str, deadline: str, reminder: str, escalation: str
) -> None:
    s = milestone_schedule(Quarter.parse(key))
    assert s.prompt_at == sh(f"{check} 09:00")
    assert s.deadline == date.fromisoformat(deadline)
    assert s.reminders == (sh(f"{reminder} 09:00"),)
    assert s.escalation_at == sh(f"{escalation} 09:00")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Monday 2023-10-02 is National Day: the digest waits for the 调休 Saturday.
        ("2023-09-25", "2023-10-10", ["2023-09-25", "2023-10-07", "2023-10-09"]),
        # Monday 2024-02-12 is the Spring Festival: that week's digest is Sunday 02-18 (调休).
        ("2024-02-05", "2024-02-27", ["2024-02-05", "2024-02-18", "2024-02-19", "2024-02-26"]),
        # 2024-10-07 (Mon) is still National Day.
        ("2024-09-30", "2024-10-15", ["2024-09-30", "2024-10-08", "2024-10-14"]),
        # The week of 2026-02-16 has no working day at all: no digest for it.
        ("2026-02-09", "2026-03-03", ["2026-02-09", "2026-02-24", "2026-03-02"]),
    ],
)
def test_digests_on_holiday_mondays(start: str, end: str, expected: list[str]) -> None:
    times = digest_times(sh(f"{start} 00:00"), sh(f"{end} 00:00"))
    assert times == [sh(f"{day} 09:00") for day in expected]


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_one_digest_per_week_on_a_working_day(year: int) -> None:
    start, end = sh(f"{year}-01-01 00:00"), sh(f"{year}-12-25 00:00")
    events = [e for e in events_between(start, end) if e.kind is EventKind.DIGESTS]
    mondays = [date.fromisoformat(e.key) for e in events]
    assert all(monday.weekday() == 0 for monday in mondays)
    assert len(set(mondays)) == len(mondays)
    for event in events:
        monday = date.fromisoformat(event.key)
        assert chinese_calendar.is_workday(event.fire_at.date())
        assert monday <= event.fire_at.date() < monday + timedelta(days=7)
        if chinese_calendar.is_workday(monday):
            assert event.fire_at == at_local(monday, time(9), SH)
    assert len(events) >= 50


def test_events_between_kinds_keys_and_order() -> None:
    events = events_between(sh("2023-09-01 00:00"), sh("2023-11-01 00:00"))
    assert {e.kind for e in events} == set(EventKind)
    assert {str(k) for k in EventKind} == {
        "ledger-prompts", "reminders", "escalations", "milestone-checks",
        "milestone-reminders", "milestone-escalations", "digests", "period-close",
    }  # fmt: skip
    assert events == sorted(events, key=lambda e: e.fire_at_utc)
    october = [(e.kind, e.key, e.fire_at) for e in events if e.fire_at >= sh("2023-10-07 00:00")]
    assert october[:4] == [
        (EventKind.LEDGER_PROMPTS, "2023-09", sh("2023-10-07 09:00")),
        (EventKind.MILESTONE_ESCALATIONS, "2023Q3", sh("2023-10-07 09:00")),
        (EventKind.DIGESTS, "2023-10-02", sh("2023-10-07 09:00")),
        (EventKind.ESCALATIONS, "2023-09", sh("2023-10-08 09:00")),
    ]
    assert Event(EventKind.REMINDERS, "2023-08", sh("2023-09-05 09:00")) in events
    assert Event(EventKind.MILESTONE_CHECKS, "2023Q3", sh("2023-09-22 09:00")) in events
    assert Event(EventKind.PERIOD_CLOSE, "2023-08", sh("2023-09-15 09:00")) in events
    assert Event(EventKind.PERIOD_CLOSE, "2023-09", sh("2023-10-13 09:00")) in events


def test_window_is_half_open() -> None:
    prompt = sh("2023-10-07 09:00")
    assert any(e.fire_at == prompt for e in events_between(prompt, prompt + timedelta(hours=1)))
    assert not any(e.fire_at == prompt for e in events_between(prompt - timedelta(hours=1), prompt))
    assert events_between(prompt, prompt) == []
    assert events_between(prompt, prompt - timedelta(days=30)) == []


@given(
    st.datetimes(datetime(2023, 1, 1), datetime(2026, 6, 1)),
    st.timedeltas(timedelta(0), timedelta(days=120)),
    st.timedeltas(timedelta(0), timedelta(days=120)),
)
def test_catch_up_windows_partition_the_events(
    start: datetime, first: timedelta, second: timedelta
) -> None:
    """Catching up in pieces (after any downtime) gives exactly the events of one big window."""
    a = start.replace(tzinfo=SH)
    b, c = a + first, a + first + second
    assert events_between(a, b) + events_between(b, c) == events_between(a, c)


def test_windows_in_other_zones_mean_the_same_instants() -> None:
    start, end = sh("2024-01-01 00:00"), sh("2024-04-01 00:00")
    assert events_between(start.astimezone(UTC), end.astimezone(UTC)) == events_between(start, end)


def test_next_event() -> None:
    event = next_event(sh("2023-09-28 10:00"))
    assert (event.kind, event.key, event.fire_at) == (
        EventKind.LEDGER_PROMPTS, "2023-09", sh("2023-10-07 09:00")
    )  # fmt: skip
    assert next_event(event.fire_at) == event  # fire_at >= after
    assert event.id == "ledger-prompts:2023-09:2023-10-07"
    assert event.fire_at_utc == datetime(2023, 10, 7, 1, tzinfo=UTC)


def test_is_late() -> None:
    s = ledger_schedule(Period(2024, 1))
    assert not is_late(sh("2024-02-07 23:59:59"), s)
    assert is_late(sh("2024-02-08 00:00"), s)
    assert is_late(datetime(2024, 2, 7, 16, tzinfo=UTC), s)
    with pytest.raises(ValueError, match="naive"):
        is_late(datetime(2024, 2, 8), s)


def test_rules_accept_settings_values_and_validate() -> None:
    rules = CalendarRules(reminder_workdays_before=[3, 1])  # type: ignore[arg-type]
    assert rules.reminder_workdays_before == (3, 1)
    assert hash(rules)
    for bad in (
        {"prompt_day": 8},
        {"deadline_day": 29},
        {"reminder_workdays_before": (0,)},
        {"escalation_workdays_after": 0},
        {"deadline_shift": "previous_workday"},
        {"digest_weekday": 7},
        {"send_time": time(9, tzinfo=UTC)},
        {"milestone_check_workdays_before": 0},
    ):
        with pytest.raises(ValueError):
            CalendarRules(**bad)


def test_unknown_year_falls_back_without_crashing() -> None:
    s = ledger_schedule(Period(2030, 12))
    assert s.prompt_at == sh("2031-01-01 09:00")  # Mon–Fri guess: New Year's Day is unknown
    assert all(is_workday(moment.date()) for moment in fire_times(s))


def exists(moment: datetime) -> bool:
    """True if the wall-clock time really occurs in its zone (not skipped by a DST change)."""
    again = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return again.replace(tzinfo=None) == moment.replace(tzinfo=None)


def test_at_local_normalises_dst_gaps_and_folds() -> None:
    skipped = at_local(date(2024, 3, 31), time(2, 30), BERLIN)
    assert skipped.replace(tzinfo=None) == datetime(2024, 3, 31, 3, 30)
    assert skipped.utcoffset() == timedelta(hours=2)
    doubled = at_local(date(2024, 10, 27), time(2, 30), BERLIN)
    assert doubled.astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # the first one
    assert exists(skipped)
    assert exists(doubled)


def test_berlin_events_exist_once_and_in_order() -> None:
    rules = CalendarRules(send_time=time(2, 30))
    start = datetime(2023, 1, 1, tzinfo=BERLIN)
    events = events_between(start, datetime(2026, 12, 1, tzinfo=BERLIN), rules, BERLIN)
    assert all(exists(e.fire_at) for e in events)
    assert len({e.id for e in events}) == len(events)
    assert len({(e.kind, e.key, e.fire_at_utc) for e in events}) == len(events)
    instants = [e.fire_at_utc for e in events]
    assert instants == sorted(instants)
    for period in KNOWN_PERIODS:
        s = ledger_schedule(period, rules, BERLIN)
        assert all(exists(t) for t in [*fire_times(s), s.due_at])
        assert s.due_at - s.prompt_at > timedelta(0)


def test_deadline_day_ending_in_a_dst_gap_or_fold() -> None:
    """Havana springs forward at midnight: the deadline day ends at 01:00 on the Sunday."""
    gap = ledger_schedule(Period(2024, 2), CalendarRules(deadline_day=9, deadline_shift="none"),
                          HAVANA)  # fmt: skip
    assert gap.deadline == date(2024, 3, 9)
    assert gap.due_at.replace(tzinfo=None) == datetime(2024, 3, 10, 1)
    assert exists(gap.due_at)
    fold = ledger_schedule(Period(2024, 10), CalendarRules(deadline_day=2, deadline_shift="none"),
                           HAVANA)  # fmt: skip
    assert fold.due_at.astimezone(UTC) == datetime(2024, 11, 3, 4, tzinfo=UTC)  # the first midnight


rules_strategy = st.builds(
    CalendarRules,
    prompt_day=st.integers(1, 5),
    deadline_day=st.integers(5, 28),
    send_time=st.times(time(0), time(23, 59)),
    reminder_workdays_before=st.lists(st.integers(1, 10), max_size=3).map(tuple),
    remind_on_deadline_day=st.booleans(),
    deadline_shift=st.sampled_from(["next_workday", "none"]),
    escalation_workdays_after=st.integers(1, 5),
    milestone_check_workdays_before=st.integers(1, 20),
)


@given(st.sampled_from([*KNOWN_PERIODS, Period(2026, 12)]), rules_strategy)
def test_ledger_order_and_working_days(period: Period, rules: CalendarRules) -> None:
    s = ledger_schedule(period, rules)
    assert all(s.prompt_at < r <= s.due_at for r in s.reminders)
    assert list(s.reminders) == sorted(set(s.reminders))
    assert s.prompt_at < s.due_at <= s.escalation_at
    # Only a midnight send_time escalates at the very instant the deadline day ends.
    assert s.due_at < s.escalation_at or rules.send_time == time(0)
    for moment in fire_times(s):
        assert is_workday(moment.date())
        assert moment.time() == rules.send_time
        assert moment.tzinfo is SH


@given(st.sampled_from(KNOWN_QUARTERS), rules_strategy)
def test_milestone_order_and_working_days(quarter: Quarter, rules: CalendarRules) -> None:
    s = milestone_schedule(quarter, rules)
    assert all(s.prompt_at < r <= s.due_at for r in s.reminders)
    assert s.prompt_at < s.due_at <= s.escalation_at
    assert s.due_at < s.escalation_at or rules.send_time == time(0)
    assert s.deadline <= quarter.last_day
    for moment in fire_times(s):
        assert is_workday(moment.date())
        assert moment.time() == rules.send_time


def test_to_utc() -> None:
    assert to_utc(sh("2023-10-07 09:00")) == datetime(2023, 10, 7, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        to_utc(datetime(2023, 10, 7, 9))
