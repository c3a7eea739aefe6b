"""Messages that follow a state change, written as outbox rows in the change's transaction.

A stored report's confirmation, the 审定 request to each principal, the review's outcome to
the reporter and its acknowledgement to the reviewer: each is a row keyed by the entry and
the chat, inserted in the transaction that stores the entry or its review. Either both the
change and its messages are committed or neither is; a crash after the commit leaves the rows
to the dispatcher, which sends them after a restart. The key makes a redelivered update
harmless: the second insert finds the row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import OutboxState
from models import OutboxMessage, ProgressEntry
from services import outbox

CONFIRMATION = "report-confirmation"  # to the reporter: the entry is stored
APPROVAL_REQUEST = "approval-request"  # to each principal, with the 审定 buttons
REVIEW_OUTCOME = "review-outcome"  # to the reporter: approved, or returned with the reason
REVIEW_DONE = "review-done"  # to the reviewer: what they just did
APPROVAL_DECIDED = "approval-decided"  # each principal's sent request, edited: outcome, no buttons
APPROVAL_EVIDENCE = "approval-evidence"  # to each principal, after the request: the attachments
UNSENT = (OutboxState.PENDING, OutboxState.UNKNOWN)


def _recipient(entry: ProgressEntry, chat_id: int, part: str = "") -> str:
    return f"entry{entry.id}:{chat_id}{part}"


async def enqueue(
    session: AsyncSession,
    kind: str,
    entry: ProgressEntry,
    chat_id: int,
    payload: dict[str, Any],
    now: datetime,
    part: str = "",
) -> bool:
    """Queue a message about ``entry`` for ``chat_id`` (``part`` tells several of one kind
    apart, e.g. the attachments); False when it was already queued."""
    row = await outbox.enqueue(
        session,
        kind=kind,
        period=entry.period,
        recipient=_recipient(entry, chat_id, part),
        chat_id=chat_id,
        payload=payload,
        not_before=now,
    )
    return row is not None


async def _requests(
    session: AsyncSession, entry: ProgressEntry, which: ColumnElement[bool]
) -> list[OutboxMessage]:
    rows = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == APPROVAL_REQUEST,
            OutboxMessage.period == entry.period,
            OutboxMessage.recipient.startswith(f"entry{entry.id}:"),
            which,
        )
    )
    return list(rows)


async def sent_requests(session: AsyncSession, entry: ProgressEntry) -> list[OutboxMessage]:
    """The 审定 requests about ``entry`` already delivered (each principal's copy)."""
    return await _requests(session, entry, OutboxMessage.sent_message_id.is_not(None))


async def unsent_requests(session: AsyncSession, entry: ProgressEntry) -> list[OutboxMessage]:
    """The 审定 requests about ``entry`` not (known to be) delivered yet: still waiting in the
    outbox, or due again after an unknown outcome."""
    return await _requests(session, entry, OutboxMessage.state.in_(UNSENT))


async def replace_unsent(
    session: AsyncSession, row: OutboxMessage, payload: dict[str, Any]
) -> bool:
    """Swap an unsent row's payload (e.g. a decided request: its outcome, no buttons); False
    when the dispatcher claimed it meanwhile (it goes out as it was, and is edited once sent)."""
    changed = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.state.in_(UNSENT))
        .values(payload=payload)
    )
    return bool(changed.rowcount)  # type: ignore[attr-defined]


async def resend_confirmation(
    session: AsyncSession, entry: ProgressEntry, chat_id: int, now: datetime
) -> bool:
    """A redelivered report: its confirmation goes out again, through the outbox. A row still
    open is left to the dispatcher; a sent (or failed) one is due again now. False when the
    entry was stored without a queued confirmation (before confirmations were queued)."""
    row = await session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == CONFIRMATION,
            OutboxMessage.period == entry.period,
            OutboxMessage.recipient == _recipient(entry, chat_id),
        )
        .with_for_update()
    )
    if row is None:
        return False
    if row.state not in outbox.OPEN_STATES:
        row.state, row.next_attempt_at, row.claimed_by = OutboxState.PENDING, now, None
    return True
