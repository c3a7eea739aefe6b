"""Status of a period from the ledger of record: obligations joined with the current entries.

One aggregate feeds /status, /overdue, the escalation, the digest's counts *and* its lists, and
`ledgerbot status`, so no two of them can disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ledger.entries import is_counted, obligation_late, overdue
from ledger.vocab import EntryState, EntryStatus, UnitRole


@dataclass(frozen=True)
class ObligationView:
    """One materialised obligation: what a unit owes on a task this period, and its record."""

    task_id: int
    task_number: int
    plan_code: str
    unit_id: int
    due_at: datetime
    counted_at: datetime | None = None
    role: UnitRole = UnitRole.LEAD
    order: tuple[int, ...] = ()  # the document's order: plan, task number, position in its list

    @property
    def counted(self) -> bool:
        return self.counted_at is not None

    @property
    def late(self) -> bool:
        return obligation_late(self.counted_at, self.due_at)


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
    plan_code: str = ""

    @property
    def approved(self) -> bool:
        """Approved by a principal (an entry counted without one is not 'approved')."""
        return self.state == EntryState.APPROVED

    @property
    def counted(self) -> bool:
        return is_counted(self.state)

    @property
    def awaiting_approval(self) -> bool:
        return self.state == EntryState.SUBMITTED


@dataclass(frozen=True)
class Counts:
    """A unit's figures counted by the database (services.status.period_summary) by the same
    rules as the properties below, for views that show counts and no lists."""

    owed: int
    submitted: int
    awaiting_approval: int
    late: int
    support_owed: int = 0
    support_submitted: int = 0


@dataclass
class UnitStatus:
    """One unit's standing for a period, from its obligations and current entries (or, for a
    summary, from `counts`: then it has no lists, and asking for them is an error)."""

    unit_id: int
    unit: str
    obligations: list[ObligationView] = field(default_factory=list)
    entries: list[EntryView] = field(default_factory=list)
    contacts: int = 0  # bound contacts when the period opened (kept current while it is open)
    principal: bool = False
    overdue: int = 0  # owed, nothing counted or waiting, past due (at the aggregate's `now`)
    counts: Counts | None = None

    def _entry(self, task_id: int) -> EntryView | None:
        return next((e for e in self.entries if e.task_id == task_id), None)

    def _lists(self) -> None:
        if self.counts is not None:
            raise ValueError("a status summary has counts, not lists: use period_status")

    @property
    def owed(self) -> int:
        return self.counts.owed if self.counts else len(self.obligations)

    @property
    def submitted(self) -> int:
        """Owed reports that count (approved, or accepted without a principal)."""
        if self.counts:
            return self.counts.submitted
        return sum(1 for o in self.obligations if o.counted)

    @property
    def awaiting_approval(self) -> int:
        if self.counts:
            return self.counts.awaiting_approval
        waiting = 0
        for o in self.obligations:
            entry = self._entry(o.task_id)
            waiting += not o.counted and entry is not None and entry.awaiting_approval
        return waiting

    @property
    def late(self) -> int:
        if self.counts:
            return self.counts.late
        return sum(1 for o in self.obligations if o.late)

    @property
    def missing(self) -> int:
        return self.owed - self.submitted - self.awaiting_approval

    @property
    def complete(self) -> bool:
        return self.owed > 0 and self.submitted >= self.owed

    @property
    def unbound(self) -> bool:
        """Nobody could be prompted: no bound contact."""
        return self.contacts == 0

    @property
    def support_owed(self) -> int:
        """Supporting units' inputs (配合单位反馈) among what the unit owes: counted apart."""
        if self.counts:
            return self.counts.support_owed
        return sum(1 for o in self.obligations if o.role == UnitRole.SUPPORT)

    @property
    def support_submitted(self) -> int:
        if self.counts:
            return self.counts.support_submitted
        return sum(1 for o in self.obligations if o.role == UnitRole.SUPPORT and o.counted)

    def role_of(self, task_id: int) -> UnitRole | None:
        """The unit's role on a task it owes (None: it does not owe it)."""
        self._lists()
        return next((o.role for o in self.obligations if o.task_id == task_id), None)

    def missing_tasks(self) -> list[ObligationView]:
        """Owed, not counted and not waiting for 审定: what a reminder lists."""
        self._lists()
        return [
            o
            for o in self.obligations
            if not o.counted and not ((e := self._entry(o.task_id)) and e.awaiting_approval)
        ]

    def waiting_entries(self) -> list[EntryView]:
        self._lists()
        owed = {o.task_id for o in self.obligations if not o.counted}
        return [e for e in self.entries if e.awaiting_approval and e.task_id in owed]


@dataclass(frozen=True)
class Totals:
    units: int
    owed: int
    submitted: int
    awaiting_approval: int
    late: int
    missing: int
    overdue: int
    complete_units: int
    overdue_units: int
    unbound_units: int
    support_owed: int = 0  # of `owed`, supporting units' inputs (配合单位反馈)
    support_submitted: int = 0


@dataclass(frozen=True)
class Snapshot:
    contacts: int
    principal: bool


UNORDERED = (1 << 30,)  # the place of a unit that owes nothing: after every owing unit


def aggregate(
    obligations: Iterable[ObligationView],
    names: Mapping[int, str],
    entries: Iterable[EntryView],
    *,
    now: datetime,
    snapshots: Mapping[int, Snapshot] | None = None,
) -> list[UnitStatus]:
    """Combine obligations with current entries. Entries on tasks a unit does not owe are kept
    (a report is never hidden) but do not raise what it owes. Units come in the document's
    order (the first task they owe), complete ones last."""
    snapshots = snapshots or {}
    by_unit: dict[int, UnitStatus] = {}

    def unit(unit_id: int) -> UnitStatus:
        if unit_id not in by_unit:
            snap = snapshots.get(unit_id, Snapshot(0, False))
            by_unit[unit_id] = UnitStatus(
                unit_id, names.get(unit_id, str(unit_id)), contacts=snap.contacts,
                principal=snap.principal,
            )  # fmt: skip
        return by_unit[unit_id]

    for item in obligations:
        unit(item.unit_id).obligations.append(item)
    for entry in entries:
        unit(entry.unit_id).entries.append(entry)
    for status in by_unit.values():
        status.obligations.sort(key=lambda o: (o.order, o.task_number))
        place = {o.task_id: i for i, o in enumerate(status.obligations)}
        status.entries.sort(key=lambda e: (place.get(e.task_id, len(place)), e.task_number))
        waiting = {e.task_id for e in status.entries if e.awaiting_approval}
        status.overdue = sum(
            overdue(o.counted_at, o.task_id in waiting, now, o.due_at) for o in status.obligations
        )
    first = {
        u: min((o.order for o in s.obligations), default=UNORDERED) for u, s in by_unit.items()
    }
    return in_status_order(by_unit.values(), first)


def in_status_order(
    units: Iterable[UnitStatus], first: Mapping[int, tuple[int, ...]]
) -> list[UnitStatus]:
    """Units in the document's order (the first task they owe, `first`), complete ones last."""
    return sorted(units, key=lambda s: (s.complete, first[s.unit_id], s.unit))


def totals(statuses: Iterable[UnitStatus]) -> Totals:
    rows = [s for s in statuses if s.owed]
    return Totals(
        units=len(rows),
        owed=sum(s.owed for s in rows),
        submitted=sum(s.submitted for s in rows),
        awaiting_approval=sum(s.awaiting_approval for s in rows),
        late=sum(s.late for s in rows),
        missing=sum(s.missing for s in rows),
        overdue=sum(s.overdue for s in rows),
        complete_units=sum(1 for s in rows if s.complete),
        overdue_units=sum(1 for s in rows if s.overdue),
        unbound_units=sum(1 for s in rows if s.unbound),
        support_owed=sum(s.support_owed for s in rows),
        support_submitted=sum(s.support_submitted for s in rows),
    )
