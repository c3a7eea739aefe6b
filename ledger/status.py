"""Status aggregation for /status, digests and exports: per unit, what is owed and what came in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ledger.vocab import EntryState, EntryStatus


@dataclass(frozen=True)
class EntryView:
    """The current version of one unit's report on one task."""

    task_id: int
    task_number: int
    unit_id: int
    status: EntryStatus
    state: EntryState
    text: str
    submitted_at: datetime | None
    late: bool

    @property
    def approved(self) -> bool:
        return self.state == EntryState.APPROVED

    @property
    def awaiting_approval(self) -> bool:
        return self.state == EntryState.SUBMITTED


@dataclass
class UnitStatus:
    """One unit's standing for a period. Only approved entries count as submitted (审定)."""

    unit_id: int
    unit: str
    owed: int
    entries: list[EntryView] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(1 for e in self.entries if e.approved)

    @property
    def awaiting_approval(self) -> int:
        return sum(1 for e in self.entries if e.awaiting_approval)

    @property
    def late(self) -> int:
        return sum(1 for e in self.entries if e.late and e.approved)

    @property
    def missing(self) -> int:
        return max(self.owed - self.submitted - self.awaiting_approval, 0)

    @property
    def complete(self) -> bool:
        return self.owed > 0 and self.submitted >= self.owed


@dataclass(frozen=True)
class Totals:
    units: int
    owed: int
    submitted: int
    awaiting_approval: int
    late: int
    missing: int
    complete_units: int


def aggregate(
    owed: Mapping[int, set[int]],
    names: Mapping[int, str],
    entries: Iterable[EntryView],
) -> list[UnitStatus]:
    """Combine obligations with current entries; entries on tasks a unit does not owe are kept
    (a report is never hidden) but do not raise what it owes."""
    by_unit: dict[int, UnitStatus] = {
        unit_id: UnitStatus(unit_id, names.get(unit_id, str(unit_id)), len(tasks))
        for unit_id, tasks in owed.items()
    }
    for entry in entries:
        status = by_unit.setdefault(
            entry.unit_id, UnitStatus(entry.unit_id, names.get(entry.unit_id, "?"), 0)
        )
        status.entries.append(entry)
    for status in by_unit.values():
        status.entries.sort(key=lambda e: e.task_number)
    return sorted(by_unit.values(), key=lambda s: (s.complete, s.unit))


def totals(statuses: Iterable[UnitStatus]) -> Totals:
    rows = list(statuses)
    return Totals(
        units=len(rows),
        owed=sum(s.owed for s in rows),
        submitted=sum(s.submitted for s in rows),
        awaiting_approval=sum(s.awaiting_approval for s in rows),
        late=sum(s.late for s in rows),
        missing=sum(s.missing for s in rows),
        complete_units=sum(1 for s in rows if s.complete),
    )
