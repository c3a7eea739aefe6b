"""审定: a unit's principal approves an entry (it now counts) or returns it with a reason.

Who may review what is `ledger.entries.review_refusal`; the chat, /pending and the Mini App
all review through `review`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import review_refusal
from ledger.reports import clean_text
from ledger.vocab import ContactRole, EntryState
from models import ProgressEntry, Task
from services.audit import Actor, record
from services.identity import Identity
from services.obligations import mark_counted
from services.reporting import ReportRefused


async def reviewable(session: AsyncSession, identity: Identity, entry_id: int) -> ProgressEntry:
    """The entry, if `identity` may review it now (ledger.entries.review_refusal); else refuse."""
    entry = await session.get(ProgressEntry, entry_id)
    if entry is None:
        raise ReportRefused("not_your_entry")
    refusal = review_refusal(
        entry_unit_id=entry.unit_id,
        state=entry.state,
        is_current=entry.is_current,
        reviewer_id=identity.user_id,
        reporter_id=entry.reporter_user_id,
        principal_of={b.unit_id for b in identity.units(ContactRole.PRINCIPAL)},
    )
    if refusal is not None:
        raise ReportRefused(refusal)
    return entry


@dataclass(frozen=True)
class Reviewed:
    entry: ProgressEntry
    task_number: int
    unit_name: str
    approved: bool


async def review(
    session: AsyncSession,
    *,
    identity: Identity,
    entry_id: int,
    approve: bool,
    note: str | None,
    now: datetime,
    chat_id: int | None,
    via: str = "telegram",
) -> Reviewed:
    """审定: the unit's principal approves an entry (it now counts) or returns it with a reason."""
    entry = await reviewable(session, identity, entry_id)
    entry.state = EntryState.APPROVED if approve else EntryState.RETURNED
    if approve and entry.submitted_at is not None:
        await mark_counted(
            session, period=entry.period, task_id=entry.task_id, unit_id=entry.unit_id,
            submitted_at=entry.submitted_at,
        )  # fmt: skip
    entry.reviewed_by, entry.reviewed_at = identity.user_id, now
    entry.review_note = clean_text(note) if note else None
    task = await session.get_one(Task, entry.task_id)
    binding = next(b for b in identity.bindings if b.unit_id == entry.unit_id)
    record(
        session,
        Actor(via=via, user_id=identity.user_id, chat_id=chat_id),
        "entry.approve" if approve else "entry.return",
        f"{binding.unit_name}/{task.number}/{entry.period}",
        entry_id=entry.id,
    )
    return Reviewed(entry, task.number, binding.unit_name, approve)
