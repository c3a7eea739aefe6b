"""Ledger periods ('YYYY-MM', 月调度) and quarters ('YYYYQn', 季通报) as small value objects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta

_PERIOD_KEY = re.compile(r"(\d{4})-(\d{2})")
_QUARTER_KEY = re.compile(r"(\d{4})Q(\d)")


def _check_year(year: int) -> None:
    if not MINYEAR <= year <= MAXYEAR:
        raise ValueError(f"year {year} is outside {MINYEAR}..{MAXYEAR}")


@dataclass(frozen=True, order=True)
class Period:
    """One month of work; its ledger is collected during the following month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        _check_year(self.year)
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is outside 1..12")

    @classmethod
    def parse(cls, key: str) -> Period:
        """Read 'YYYY-MM' (e.g. '2023-09'); anything else is a ValueError naming the format."""
        match = _PERIOD_KEY.fullmatch(key)
        if match is None or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"bad period {key!r}: expected 'YYYY-MM' such as '2023-09'")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Period:
        """The period that contains `day`."""
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def prev(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        if self.month == 12:
            return date(self.year, 12, 31)
        return date(self.year, self.month + 1, 1) - timedelta(days=1)

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.month - 1) // 3 + 1)


@dataclass(frozen=True, order=True)
class Quarter:
    """Three periods; lead units report quarter-end milestones (季通报)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        _check_year(self.year)
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter {self.number} is outside 1..4")

    @classmethod
    def parse(cls, key: str) -> Quarter:
        """Read 'YYYYQn' (e.g. '2023Q3'); anything else is a ValueError naming the format."""
        match = _QUARTER_KEY.fullmatch(key)
        if match is None or not 1 <= int(match[2]) <= 4:
            raise ValueError(f"bad quarter {key!r}: expected 'YYYYQn' such as '2023Q3'")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter that contains `day`."""
        return Period.of(day).quarter

    @property
    def key(self) -> str:
        return f"{self.year:04d}Q{self.number}"

    def __str__(self) -> str:
        return self.key

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def prev(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def months(self) -> tuple[int, int, int]:
        first = 3 * self.number - 2
        return (first, first + 1, first + 2)

    def periods(self) -> tuple[Period, Period, Period]:
        first, second, third = self.months
        return (Period(self.year, first), Period(self.year, second), Period(self.year, third))

    @property
    def first_day(self) -> date:
        return self.periods()[0].first_day

    @property
    def last_day(self) -> date:
        return self.periods()[2].last_day


# Years a ledger can name: the bureau's plans start in the 2020s, and every computation a
# period needs (its collection month, deadlines, the next quarter) stays inside `date`'s range.
LEDGER_YEARS = (2000, 2999)


class YearOutOfRange(ValueError):
    """A well-formed period or quarter whose year no ledger can have (e.g. 9999-12)."""

    def __init__(self, year: int) -> None:
        first, last = LEDGER_YEARS
        super().__init__(f"year {year} is out of range: ledgers cover {first}..{last}")
        self.year = year


def _ledger_year(year: int) -> None:
    if not LEDGER_YEARS[0] <= year <= LEDGER_YEARS[1]:
        raise YearOutOfRange(year)


def ledger_period(key: str) -> Period:
    """`Period.parse` for what people type: also refuses years outside LEDGER_YEARS."""
    period = Period.parse(key)
    _ledger_year(period.year)
    return period


def ledger_quarter(key: str) -> Quarter:
    """`Quarter.parse` for what people type: also refuses years outside LEDGER_YEARS."""
    quarter = Quarter.parse(key)
    _ledger_year(quarter.year)
    return quarter


def previous_period(today: date) -> Period:
    """The period whose ledger is being collected on `today`: last month's."""
    return Period.of(today).prev()
