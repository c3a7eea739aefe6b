"""What changed between two versions of a unit's report on a task: the one diff rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.vocab import EntryStatus


@dataclass(frozen=True)
class Content:
    """The parts of a version a reader compares: status, the three texts and the attachments
    (by file name, or kind when nameless)."""

    status: EntryStatus
    progress: str
    problems: str | None = None
    next_steps: str | None = None
    evidence: Sequence[str] = ()


@dataclass(frozen=True)
class Change:
    """One field that differs; `added` / `removed` list attachments for the evidence field."""

    field: str
    before: str | None
    after: str | None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def _norm(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def changes(old: Content | None, new: Content) -> list[Change]:
    """The fields of `new` that differ from `old`, in the form's order; every filled field
    when there is nothing to compare with. Whitespace-only differences are no change."""
    found: list[Change] = []
    if old is None or old.status != new.status:
        found.append(Change("status", old.status.value if old else None, new.status.value))
    for name in ("progress", "problems", "next_steps"):
        before = _norm(getattr(old, name)) if old else None
        after = _norm(getattr(new, name))
        if before != after:
            found.append(Change(name, before, after))
    before_files = list(old.evidence) if old else []
    after_files = list(new.evidence)
    added = tuple(f for f in after_files if f not in before_files)
    removed = tuple(f for f in before_files if f not in after_files)
    if added or removed:
        found.append(
            Change("evidence", str(len(before_files)), str(len(after_files)), added, removed)
        )
    return found
