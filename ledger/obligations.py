"""Who owes what: a unit owes a report on every task it leads, directly or as a member of a
collective lead (各县(区) leads → 雁江区, 安岳县 and 乐至县 each owe it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ledger.vocab import UnitRole


@dataclass(frozen=True)
class Link:
    task_id: int
    unit_id: int
    role: UnitRole


def owed_tasks(
    links: Iterable[Link],
    members: Mapping[int, Iterable[int]],
    paused: Iterable[int] = (),
) -> dict[int, set[int]]:
    """Map unit id → task ids it must report on this period.

    A collective with members passes its obligation on to them; one without members keeps it
    (someone bound to the collective itself can still report). Paused units owe nothing.
    """
    skip = set(paused)
    owed: dict[int, set[int]] = defaultdict(set)
    for link in links:
        if link.role != UnitRole.LEAD:
            continue
        for unit_id in members.get(link.unit_id) or (link.unit_id,):
            if unit_id not in skip:
                owed[unit_id].add(link.task_id)
    return dict(owed)


def units_owing(task_id: int, owed: Mapping[int, set[int]]) -> list[int]:
    return sorted(unit for unit, tasks in owed.items() if task_id in tasks)
