"""Working days against chinese_calendar itself, pinned 调休 facts, and the Mon–Fri fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import workdays
from ledger.workdays import (
    add_workdays,
    is_workday,
    known_year,
    next_workday,
    previous_workday,
    workdays_between,
)

KNOWN_YEARS = [2023, 2024, 2025, 2026]
known_days = st.dates(date(2023, 1, 1), date(2026, 10, 15))  # +-40 working days stay known


def days_of(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", KNOWN_YEARS)
def test_agrees_with_chinese_calendar_every_day(year: int) -> None:
    for day in days_of(year):
        assert is_workday(day) is chinese_calendar.is_workday(day)
        assert is_workday(day) is not chinese_calendar.is_holiday(day)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        *[(date(2023, 10, d), False) for d in range(1, 7)],  # National Day 2023
        (date(2023, 9, 29), False),  # Mid-Autumn, a Friday
        (date(2023, 10, 7), True),  # 调休 Saturday
        (date(2023, 10, 8), True),  # 调休 Sunday
        (date(2024, 2, 4), True),  # Sunday before the Spring Festival
        (date(2024, 2, 18), True),  # Sunday after it
        (date(2024, 2, 12), False),  # Spring Festival Monday
        (date(2024, 10, 7), False),  # National Day 2024 ends on a Monday
        (date(2025, 1, 26), True),  # 调休 Sunday
        (date(2025, 10, 8), False),  # National Day + Mid-Autumn 2025
        (date(2026, 1, 4), True),  # 调休 Sunday
        (date(2026, 2, 23), False),  # Spring Festival 2026 Monday
        (date(2023, 11, 14), True),  # an ordinary Tuesday
        (date(2023, 11, 18), False),  # an ordinary Saturday
    ],
)
def test_pinned_official_days(day: date, working: bool) -> None:
    assert chinese_calendar.is_workday(day) is working  # the pin itself is checked
    assert is_workday(day) is working


@pytest.mark.parametrize("year", KNOWN_YEARS)
def test_known_years(year: int) -> None:
    assert known_year(year)


def test_unknown_year() -> None:
    assert not known_year(2031)


@pytest.mark.parametrize(
    ("day", "include_self", "expected"),
    [
        (date(2023, 10, 1), True, date(2023, 10, 7)),
        (date(2023, 9, 29), True, date(2023, 10, 7)),
        (date(2023, 10, 7), True, date(2023, 10, 7)),
        (date(2023, 10, 7), False, date(2023, 10, 8)),
        (date(2024, 2, 10), True, date(2024, 2, 18)),
        (date(2024, 12, 31), False, date(2025, 1, 2)),
    ],
)
def test_next_workday(day: date, include_self: bool, expected: date) -> None:
    assert next_workday(day, include_self=include_self) == expected


@pytest.mark.parametrize(
    ("day", "include_self", "expected"),
    [
        (date(2023, 9, 30), True, date(2023, 9, 28)),
        (date(2023, 10, 7), True, date(2023, 10, 7)),
        (date(2023, 10, 7), False, date(2023, 9, 28)),
        (date(2025, 1, 1), True, date(2024, 12, 31)),
    ],
)
def test_previous_workday(day: date, include_self: bool, expected: date) -> None:
    assert previous_workday(day, include_self=include_self) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2023, 9, 28), 1, date(2023, 10, 7)),
        (date(2023, 10, 7), -2, date(2023, 9, 27)),
        (date(2023, 10, 7), 0, date(2023, 10, 7)),
        (date(2023, 10, 1), 0, date(2023, 10, 1)),  # 0 never moves, even off a holiday
        (date(2024, 1, 7), -1, date(2024, 1, 5)),  # from a Sunday: the Friday before
        (date(2024, 1, 7), 1, date(2024, 1, 8)),
        (date(2024, 2, 8), 1, date(2024, 2, 9)),
        (date(2024, 2, 9), 1, date(2024, 2, 18)),  # across the Spring Festival
        (date(2023, 9, 30), -5, date(2023, 9, 22)),
    ],
)
def test_add_workdays(day: date, n: int, expected: date) -> None:
    assert add_workdays(day, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2023, 9, 28), date(2023, 10, 7), 1),
        (date(2023, 10, 7), date(2023, 9, 28), -1),
        (date(2023, 10, 6), date(2023, 9, 28), -1),  # back from a holiday: [end, start)
        (date(2023, 1, 1), date(2022, 12, 30), -1),
        (date(2023, 10, 1), date(2023, 10, 6), 0),
        (date(2024, 2, 5), date(2024, 2, 7), 2),
        (date(2024, 2, 7), date(2024, 2, 7), 0),
    ],
)
def test_workdays_between(start: date, end: date, expected: int) -> None:
    assert workdays_between(start, end) == expected


@given(known_days, st.integers(-40, 40))
def test_add_then_count_round_trips(day: date, n: int) -> None:
    moved = add_workdays(day, n)
    assert workdays_between(day, moved) == n
    if n:
        assert chinese_calendar.is_workday(moved)
    if is_workday(day):
        assert add_workdays(moved, -n) == day
        assert workdays_between(moved, day) == -n


@given(known_days, known_days)
def test_between_is_antisymmetric_on_working_days(a: date, b: date) -> None:
    a, b = next_workday(a), next_workday(b)
    assert workdays_between(a, b) == -workdays_between(b, a)
    assert add_workdays(a, workdays_between(a, b)) == b


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """The fallback warns once per year per process: forget earlier calls for this test."""
    workdays._workday_ordinals.cache_clear()
    yield
    workdays._workday_ordinals.cache_clear()


@pytest.mark.usefixtures("fresh_cache")
def test_unknown_year_falls_back_to_monday_friday_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2031, 1, 1))
    with caplog.at_level(logging.WARNING, logger="ledger.workdays"):
        assert is_workday(date(2031, 1, 1))  # a Wednesday; New Year's Day is unknown here
        assert not is_workday(date(2031, 1, 4))  # Saturday
        assert next_workday(date(2031, 10, 4)) == date(2031, 10, 6)
        assert workdays_between(date(2031, 1, 1), date(2031, 12, 31)) == 260
    records = [r for r in caplog.records if r.name == "ledger.workdays"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert "2031" in records[0].getMessage()


@pytest.mark.usefixtures("fresh_cache")
def test_each_unknown_year_warns_for_itself(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ledger.workdays"):
        add_workdays(date(2031, 12, 30), 3)  # runs into 2032
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "2031" in messages[0]
    assert "2032" in messages[1]


def test_known_year_does_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ledger.workdays"):
        is_workday(date(2024, 5, 1))
    assert not caplog.records
