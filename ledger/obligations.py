"""Who owes what for a period: the rule behind the materialised obligations.

A unit owes a report on every task it leads, directly or as a member of a collective lead
(各县(区) leads → 雁江区, 安岳县 and 乐至县 each owe it). A unit paused on the day a period opens
owes nothing for that period; periods opened before the pause keep what they owe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ledger.vocab import UnitRole


@dataclass(frozen=True)
class Link:
    task_id: int
    unit_id: int
    role: UnitRole


@dataclass(frozen=True)
class Pause:
    """A unit's pause, both days included; `ends_on` None means until resumed."""

    starts_on: date
    ends_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def is_paused(pauses: Iterable[Pause], day: date) -> bool:
    return any(pause.covers(day) for pause in pauses)


@dataclass(frozen=True, order=True)
class Owed:
    """One obligation: `unit_id` owes a report on `task_id` in `role`; `via_unit_id` is the
    collective it owes it through (None when the unit is named itself)."""

    task_id: int
    unit_id: int
    role: UnitRole
    via_unit_id: int | None = None


def owed(
    links: Iterable[Link],
    members: Mapping[int, Iterable[int]],
    pauses: Mapping[int, Iterable[Pause]] | None = None,
    *,
    opens_on: date | None = None,
) -> list[Owed]:
    """The obligations of a period opening on `opens_on` (pauses apply only with a day).

    A collective with members passes its obligation on to them; one without members keeps it
    (someone bound to the collective itself can still report). Only lead links create
    obligations. A unit named both itself and through a collective owes the task once.
    """
    pauses = pauses or {}
    found: dict[tuple[int, int, UnitRole], Owed] = {}
    for link in sorted(links, key=lambda k: (k.task_id, k.unit_id)):
        if link.role != UnitRole.LEAD:
            continue
        group = list(members.get(link.unit_id) or ())
        targets = [(unit, link.unit_id) for unit in group] if group else [(link.unit_id, None)]
        for unit_id, via in targets:
            if opens_on is not None and is_paused(pauses.get(unit_id, ()), opens_on):
                continue
            key = (link.task_id, unit_id, link.role)
            if key not in found or via is None:  # named directly beats "through a collective"
                found[key] = Owed(link.task_id, unit_id, link.role, via)
    return sorted(found.values())


def owed_tasks(
    links: Iterable[Link],
    members: Mapping[int, Iterable[int]],
    pauses: Mapping[int, Iterable[Pause]] | None = None,
    *,
    opens_on: date | None = None,
) -> dict[int, set[int]]:
    """unit id → the task ids it owes (a view of `owed`)."""
    result: dict[int, set[int]] = {}
    for item in owed(links, members, pauses, opens_on=opens_on):
        result.setdefault(item.unit_id, set()).add(item.task_id)
    return result


def units_owing(task_id: int, owed_by_unit: Mapping[int, set[int]]) -> list[int]:
    return sorted(unit for unit, tasks in owed_by_unit.items() if task_id in tasks)
