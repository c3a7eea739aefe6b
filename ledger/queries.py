"""What people type after a query command: a unit name, a task, a period or a quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.periods import Period, Quarter
from ledger.plans import TaskRef, parse_task_ref

_PERIOD_LIKE = re.compile(r"\d{4}-\d{1,2}")
_QUARTER_LIKE = re.compile(r"\d{4}[Qq]\d")


class QueryError(ValueError):
    """The words cannot be read; `key` names the message shown, `word` the culprit."""

    def __init__(self, key: str, word: str) -> None:
        super().__init__(f"{key}: {word}")
        self.key, self.word = key, word


@dataclass(frozen=True)
class Query:
    """`[UNIT] [N] [YYYY-MM]` in any of its shortened forms; unset parts are None."""

    unit: str | None = None
    task: TaskRef | None = None
    period: Period | None = None

    def tail(self) -> list[str]:
        """The words after the unit, as `parse_query` reads them back."""
        words = []
        if self.task is not None:
            code = f"{self.task.plan_code}/" if self.task.plan_code else ""
            words.append(f"{code}{self.task.number}")
        if self.period is not None:
            words.append(self.period.key)
        return words


def parse_period(word: str) -> Period:
    """`2023-03` or `2023-3`; QueryError naming the word otherwise."""
    try:
        year, month = word.split("-")
        return Period(int(year), int(month))
    except ValueError as error:
        raise QueryError("bad_period", word) from error


def parse_quarter(word: str) -> Quarter:
    try:
        return Quarter.parse(word.upper())
    except ValueError as error:
        raise QueryError("bad_quarter", word) from error


def is_quarter(word: str) -> bool:
    return bool(_QUARTER_LIKE.fullmatch(word))


def parse_query(words: list[str], *, task: bool = True) -> Query:
    """Read `[UNIT] [N] [YYYY-MM]` from the end: a trailing period, then (when `task`) a task
    number, and whatever words remain name the unit (they may contain spaces)."""
    rest = [w for w in words if w.strip()]
    period = None
    if rest and _PERIOD_LIKE.fullmatch(rest[-1]):
        period = parse_period(rest.pop())
    ref = None
    if task and rest:
        ref = parse_task_ref(rest[-1])
        if ref is not None:
            rest.pop()
    unit = " ".join(rest).strip() or None
    return Query(unit, ref, period)


def match_names(query: str, spellings: dict[str, int]) -> list[int]:
    """The units a typed name stands for, given every spelling (names and aliases → unit id):
    an exact spelling wins; else every unit one of whose spellings contains the query
    (`商务局` → 市商务局). Several ids: ambiguous; none: unknown."""
    query = "".join(query.split())
    if not query:
        return []
    if query in spellings:
        return [spellings[query]]
    found = {unit for spelling, unit in spellings.items() if query in spelling}
    return sorted(found)
