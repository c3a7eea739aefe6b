"""The outbox: every scheduled message is a row first, a Telegram call second.

Never doubled: the unique (kind, period, recipient) key makes a second enqueue a no-op, and
a row is claimed by one worker at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
SQLite every transaction begins IMMEDIATE, which serialises the claim).

Never lost — the unknown-outcome policy (at-least-once). Telegram has no idempotency key,
so when a send may have happened but we cannot know, we send again rather than risk
silence: a read/write timeout after the request left (``TimedOut`` that is not a pool or
connect timeout) makes the row ``unknown`` and due again, and a row left in ``sending`` by
a crashed process is reclaimed once its ``claimed_at`` is older than the lease. Each such
event adds one to the ``[possible duplicates: N]`` marker at the head of ``last_error``
(kept by every later write, see `possible_duplicates`), so reports can count the messages
that may have arrived twice; ``attempts`` counts claims.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import OutboxState
from models import OutboxMessage

OPEN_STATES = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.UNKNOWN)
BULK_CHUNK = 1000  # keeps a statement under SQLite's and asyncpg's bound-parameter limits
_DUP = re.compile(r"^\[possible duplicates: (\d+)\] ?")


@dataclass(frozen=True)
class NewMessage:
    """One row to enqueue; ``payload`` is {"text", "parse_mode", "reply_markup", ...}."""

    kind: str
    period: str
    recipient: str
    chat_id: int
    payload: dict[str, Any]
    not_before: datetime

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period,
            "recipient": self.recipient,
            "chat_id": self.chat_id,
            "payload": self.payload,
            "next_attempt_at": self.not_before,
        }


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(OutboxMessage)


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    period: str,
    recipient: str,
    chat_id: int,
    payload: dict[str, Any],
    not_before: datetime,
) -> OutboxMessage | None:
    """Insert a message unless its (kind, period, recipient) exists; None when it did."""
    message = NewMessage(kind, period, recipient, chat_id, payload, not_before)
    stmt = (
        _insert(session)
        .values(message.values())
        .on_conflict_do_nothing(index_elements=["kind", "period", "recipient"])
        .returning(OutboxMessage)
    )
    row: OutboxMessage | None = await session.scalar(stmt)
    return row


async def enqueue_many(session: AsyncSession, messages: Sequence[NewMessage]) -> int:
    """Fan-out: insert-or-ignore many rows, one statement per 1,000; returns rows inserted."""
    inserted = 0
    for start in range(0, len(messages), BULK_CHUNK):
        chunk = [m.values() for m in messages[start : start + BULK_CHUNK]]
        stmt = (
            _insert(session)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["kind", "period", "recipient"])
        )
        result = await session.execute(stmt)
        inserted += int(result.rowcount)  # type: ignore[attr-defined]
    return inserted


def possible_duplicates(last_error: str | None) -> int:
    """How many sends of this row may have reached Telegram without our knowing."""
    match = _DUP.match(last_error or "")
    return int(match[1]) if match else 0


def _note(previous: str | None, error: str | None, *, duplicate: bool = False) -> str | None:
    """A new last_error that keeps (and optionally bumps) the duplicate marker."""
    count = possible_duplicates(previous) + int(duplicate)
    if error is None:
        error = _DUP.sub("", previous or "") or None
    if not count:
        return error
    return f"[possible duplicates: {count}] {error or ''}".rstrip()


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, worker_id: str, lease: timedelta
) -> list[OutboxMessage]:
    """Claim due rows for this worker: pending/unknown rows due now, and stale `sending` ones.

    Group rows first: a group may receive only 20 a minute, so its minutes must start while
    the private fan-out (1/s per chat, 30/s in all) is still going, not after it."""
    msg = OutboxMessage
    due = and_(
        msg.state.in_([OutboxState.PENDING, OutboxState.UNKNOWN]), msg.next_attempt_at <= now
    )
    stale = and_(msg.state == OutboxState.SENDING, msg.claimed_at <= now - lease)
    rows: list[OutboxMessage] = []
    for only in (msg.chat_id < 0, None):  # claimed rows are `sending`: the second skips them
        stmt = (
            select(msg)
            .where(or_(due, stale), *([only] if only is not None else []))
            .order_by(msg.next_attempt_at, msg.id)
            .limit(limit - len(rows))
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        claimed = list((await session.scalars(stmt)).all()) if len(rows) < limit else []
        for row in claimed:
            if row.state == OutboxState.SENDING:
                crashed = f"lease of {row.claimed_by} expired while sending"
                row.last_error = _note(row.last_error, crashed, duplicate=True)
            row.state, row.claimed_by, row.claimed_at = OutboxState.SENDING, worker_id, now
            row.attempts += 1
        await session.flush()
        rows += claimed
    return rows


async def _locked(session: AsyncSession, row_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, row_id, with_for_update=True, populate_existing=True)


async def mark_sent(session: AsyncSession, row_id: int, *, message_id: int, at: datetime) -> bool:
    """Record a delivery (one UPDATE); a second delivery of a sent row is counted instead."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.state != OutboxState.SENT)
        .values(state=OutboxState.SENT, sent_message_id=message_id, sent_at=at, claimed_by=None)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        return True
    row = await _locked(session, row_id)
    if row is not None:
        row.last_error = _note(row.last_error, f"sent again as {message_id}", duplicate=True)
    return False


async def _settle(
    session: AsyncSession,
    row_id: int,
    state: OutboxState,
    error: str | None,
    next_attempt_at: datetime | None = None,
    *,
    duplicate: bool = False,
) -> bool:
    """Move an open row to ``state``; a row already sent, failed or cancelled stays as is."""
    row = await _locked(session, row_id)
    if row is None or row.state not in OPEN_STATES:
        return False
    row.state, row.claimed_by = state, None
    row.last_error = _note(row.last_error, error, duplicate=duplicate)
    if next_attempt_at is not None:
        row.next_attempt_at = next_attempt_at
    return True


async def mark_retry(
    session: AsyncSession, row_id: int, *, error: str, next_attempt_at: datetime
) -> bool:
    """A failed attempt that Telegram surely did not apply: pending again later."""
    return await _settle(session, row_id, OutboxState.PENDING, error, next_attempt_at)


async def mark_unknown(
    session: AsyncSession, row_id: int, *, error: str, next_attempt_at: datetime
) -> bool:
    """The request left and no answer came: due again, one more possible duplicate."""
    return await _settle(
        session, row_id, OutboxState.UNKNOWN, error, next_attempt_at, duplicate=True
    )


async def mark_failed(session: AsyncSession, row_id: int, *, error: str) -> bool:
    return await _settle(session, row_id, OutboxState.FAILED, error)


async def settle(
    session: AsyncSession,
    row_id: int,
    state: OutboxState,
    *,
    error: str,
    next_attempt_at: datetime,
) -> bool:
    """After a failed attempt: FAILED for good, UNKNOWN (maybe sent) or PENDING (retry)."""
    if state == OutboxState.FAILED:
        return await mark_failed(session, row_id, error=error)
    if state == OutboxState.UNKNOWN:
        return await mark_unknown(session, row_id, error=error, next_attempt_at=next_attempt_at)
    return await mark_retry(session, row_id, error=error, next_attempt_at=next_attempt_at)


async def cancel(session: AsyncSession, row_id: int) -> bool:
    """Withdraw a message that has not been sent (e.g. the unit already replied)."""
    return await _settle(session, row_id, OutboxState.CANCELLED, None)


async def release(session: AsyncSession, row_id: int, *, next_attempt_at: datetime) -> bool:
    """Hand back a claimed row that was never attempted (pacing, shutdown): not an attempt."""
    row = await _locked(session, row_id)
    if row is None or row.state != OutboxState.SENDING:
        return False
    row.state, row.claimed_by, row.next_attempt_at = OutboxState.PENDING, None, next_attempt_at
    row.attempts = max(0, row.attempts - 1)
    return True


async def list_rows(
    session: AsyncSession, *, state: OutboxState | None = None, limit: int = 100
) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id).limit(limit)
    if state is not None:
        stmt = stmt.where(OutboxMessage.state == state)
    return list((await session.scalars(stmt)).all())


async def count_open(session: AsyncSession, *, due_by: datetime) -> int:
    """Rows still to send that are due by ``due_by``."""
    stmt = select(func.count()).where(
        OutboxMessage.state.in_(OPEN_STATES), OutboxMessage.next_attempt_at <= due_by
    )
    return int(await session.scalar(stmt) or 0)


async def counts_by_state(session: AsyncSession) -> dict[OutboxState, int]:
    stmt = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    return {OutboxState(state): count for state, count in (await session.execute(stmt)).all()}


async def count_possible_duplicates(session: AsyncSession) -> int:
    """Sum of the duplicate markers over all rows (messages that may have arrived twice)."""
    stmt = select(OutboxMessage.last_error).where(
        OutboxMessage.last_error.like("[possible duplicates:%")
    )
    return sum(possible_duplicates(e) for e in (await session.scalars(stmt)).all())
