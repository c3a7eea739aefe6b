"""Periods 'YYYY-MM' and quarters 'YYYYQn': parsing, arithmetic, month and quarter ends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.periods import Period, Quarter, previous_period

periods = st.builds(Period, st.integers(1900, 2100), st.integers(1, 12))
quarters = st.builds(Quarter, st.integers(1900, 2100), st.integers(1, 4))


@pytest.mark.parametrize(
    ("key", "year", "month"), [("2023-09", 2023, 9), ("2024-01", 2024, 1), ("0999-12", 999, 12)]
)
def test_parse_and_key(key: str, year: int, month: int) -> None:
    period = Period.parse(key)
    assert (period.year, period.month) == (year, month)
    assert period.key == str(period) == key


@pytest.mark.parametrize(
    "key", ["2023-9", "2023-13", "2023-00", "23-09", "2023/09", "", " 2023-09", "2023-09-01"]
)
def test_parse_rejects_bad_keys(key: str) -> None:
    with pytest.raises(ValueError, match="expected 'YYYY-MM'"):
        Period.parse(key)


def test_constructor_validates() -> None:
    with pytest.raises(ValueError, match="month 13"):
        Period(2023, 13)
    with pytest.raises(ValueError, match="year 0"):
        Period(0, 1)


@pytest.mark.parametrize(
    ("key", "first", "last"),
    [
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-09", date(2023, 9, 1), date(2023, 9, 30)),
        ("2023-12", date(2023, 12, 1), date(2023, 12, 31)),
    ],
)
def test_month_bounds(key: str, first: date, last: date) -> None:
    period = Period.parse(key)
    assert (period.first_day, period.last_day) == (first, last)


def test_next_and_prev_cross_years() -> None:
    assert Period(2023, 12).next() == Period(2024, 1)
    assert Period(2024, 1).prev() == Period(2023, 12)
    assert Period(2023, 12) < Period(2024, 1) < Period(2024, 2)


@pytest.mark.parametrize(
    ("month", "quarter"), [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)]
)
def test_quarter_of_period(month: int, quarter: int) -> None:
    assert Period(2023, month).quarter == Quarter(2023, quarter)


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2023, 10, 5), "2023-09"), (date(2024, 1, 3), "2023-12"), (date(2024, 3, 31), "2024-02")],
)
def test_previous_period(today: date, expected: str) -> None:
    assert previous_period(today).key == expected


@pytest.mark.parametrize(
    ("key", "first", "last", "months"),
    [
        ("2023Q1", date(2023, 1, 1), date(2023, 3, 31), (1, 2, 3)),
        ("2023Q3", date(2023, 7, 1), date(2023, 9, 30), (7, 8, 9)),
        ("2024Q4", date(2024, 10, 1), date(2024, 12, 31), (10, 11, 12)),
    ],
)
def test_quarter(key: str, first: date, last: date, months: tuple[int, int, int]) -> None:
    quarter = Quarter.parse(key)
    assert quarter.key == str(quarter) == key
    assert (quarter.first_day, quarter.last_day, quarter.months) == (first, last, months)
    assert [p.month for p in quarter.periods()] == list(months)
    assert all(p.quarter == quarter for p in quarter.periods())


@pytest.mark.parametrize("key", ["2023Q5", "2023Q0", "2023q1", "2023-Q1", "2023Q", "Q1"])
def test_quarter_parse_rejects_bad_keys(key: str) -> None:
    with pytest.raises(ValueError, match="expected 'YYYYQn'"):
        Quarter.parse(key)


def test_quarter_steps() -> None:
    assert Quarter(2023, 4).next() == Quarter(2024, 1)
    assert Quarter(2024, 1).prev() == Quarter(2023, 4)
    assert Quarter.of(date(2023, 9, 30)) == Quarter(2023, 3)


@given(periods)
def test_period_round_trips(period: Period) -> None:
    assert Period.parse(period.key) == period
    assert period.next().prev() == period
    assert period.last_day + timedelta(days=1) == period.next().first_day
    assert Period.of(period.last_day) == period
    assert period.first_day <= period.last_day


@given(quarters)
def test_quarter_round_trips(quarter: Quarter) -> None:
    assert Quarter.parse(quarter.key) == quarter
    assert quarter.next().prev() == quarter
    assert quarter.last_day + timedelta(days=1) == quarter.next().first_day
    assert Quarter.of(quarter.first_day) == Quarter.of(quarter.last_day) == quarter
