"""A plan's window of periods, its short name (code), and task references that name a plan.

Several plans run side by side (the city's 工作要点 and the provincial 十件大事 table), so a
period owes the union of every plan whose window covers it, and a task number alone can be
ambiguous: `要点/5` names task 5 of the plan whose code is 要点.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from ledger.periods import Period
from ledger.task_numbers import TaskRef, parse_task_ref

__all__ = ["TaskRef", "parse_task_ref"]  # the task-number rule itself: ledger.task_numbers

MAX_CODE = 16
_CODE = re.compile(r"[^\s/／:：#,，、]{1,16}")
_TAIL = re.compile(r"(?:19|20)\d\d\s*年(?:度)?")
_NOISE = re.compile(r"[《》〈〉“”\"'()（）\[\]【】\s]")


class PlanRuleError(ValueError):
    """A window or code that cannot be used; the message says what is expected."""


@dataclass(frozen=True)
class Window:
    """The periods a plan owes reports for, first and last included."""

    first: Period
    last: Period

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise PlanRuleError(f"the window starts ({self.first}) after it ends ({self.last})")

    def covers(self, period: Period) -> bool:
        return self.first <= period <= self.last

    def periods(self) -> list[Period]:
        found, period = [], self.first
        while period <= self.last:
            found.append(period)
            period = period.next()
        return found

    def to_json_dict(self) -> dict[str, str]:
        return {"from": self.first.key, "until": self.last.key}


def plan_window(
    year: int,
    *,
    issued_on: date | None = None,
    first: str | None = None,
    last: str | None = None,
) -> Window:
    """The window of a plan of `year`: `first`/`last` ('YYYY-MM') when given; otherwise from the
    month of the document's own date when that date falls in the plan's year (a plan issued on
    2023-03-07 owes ledgers from 2023-03), else January; until December."""
    try:
        start = Period.parse(first) if first else None
        end = Period.parse(last) if last else None
    except ValueError as bad:
        raise PlanRuleError(str(bad)) from bad
    if start is None:
        start = Period.of(issued_on) if issued_on and issued_on.year == year else Period(year, 1)
    return Window(start, end or Period(year, 12))


def check_code(code: str) -> str:
    """A plan code as typed by staff: one short word without spaces or separators."""
    code = code.strip()
    if not _CODE.fullmatch(code) or code.isdecimal():
        raise PlanRuleError(
            f"bad plan code {code!r}: up to {MAX_CODE} characters, no spaces or / : # , 、"
            " and not only digits (e.g. 要点 or TEN)"
        )
    return code


def default_code(title: str, taken: Collection[str] = ()) -> str:
    """A short name from the title: what follows its year ("2023年工作要点" → 工作要点), at most
    MAX_CODE characters, made unique among `taken` with a number."""
    text = re.sub(r"[/／:：#,，、]", "", _NOISE.sub("", title))
    parts = [p.strip("0123456789—–-~至") for p in _TAIL.split(text)]
    tail = next((p for p in reversed(parts) if p), "") or text or "plan"
    base = tail[-MAX_CODE:] if len(tail) > MAX_CODE else tail
    if base.isdecimal():
        base = f"P{base}"[:MAX_CODE]
    code, n = base, 2
    while code in taken:
        suffix = str(n)
        code, n = base[: MAX_CODE - len(suffix)] + suffix, n + 1
    return code
