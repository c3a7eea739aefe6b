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

from ledger.vocab import ChatType, OutboxState
from models import Chat, Contact, OutboxMessage, Staff

OPEN_STATES = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.UNKNOWN)
UNREACHABLE_NOTICE = "unreachable-notice"
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
    """Claim due rows for this worker: pending/unknown rows due now, and stale `sending` ones."""
    msg = OutboxMessage
    due = and_(
        msg.state.in_([OutboxState.PENDING, OutboxState.UNKNOWN]), msg.next_attempt_at <= now
    )
    stale = and_(msg.state == OutboxState.SENDING, msg.claimed_at <= now - lease)
    stmt = (
        select(msg)
        .where(or_(due, stale))
        .order_by(msg.next_attempt_at, msg.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    rows = list((await session.scalars(stmt)).all())
    for row in rows:
        if row.state == OutboxState.SENDING:
            crashed = f"lease of {row.claimed_by} expired while sending"
            row.last_error = _note(row.last_error, crashed, duplicate=True)
        row.state, row.claimed_by, row.claimed_at = OutboxState.SENDING, worker_id, now
        row.attempts += 1
    await session.flush()
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


async def counts_by_state(session: AsyncSession) -> dict[OutboxState, int]:
    stmt = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    return {OutboxState(state): count for state, count in (await session.execute(stmt)).all()}


async def count_possible_duplicates(session: AsyncSession) -> int:
    """Sum of the duplicate markers over all rows (messages that may have arrived twice)."""
    stmt = select(OutboxMessage.last_error).where(
        OutboxMessage.last_error.like("[possible duplicates:%")
    )
    return sum(possible_duplicates(e) for e in (await session.scalars(stmt)).all())


async def reroute_chat(session: AsyncSession, *, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: follow it in `chats` and in every open outbox row.

    The chat row takes the new id (subscriptions follow the chat); when the supergroup is
    already known, the old row keeps its id and points at it through ``migrated_to``.
    """
    old = await session.scalar(select(Chat).where(Chat.telegram_chat_id == old_chat_id))
    new = await session.scalar(select(Chat).where(Chat.telegram_chat_id == new_chat_id))
    if old is not None and new is None:
        old.telegram_chat_id, old.type = new_chat_id, ChatType.SUPERGROUP
    elif old is not None and new is not None:
        old.migrated_to = new_chat_id
        new.digest_subscribed = new.digest_subscribed or old.digest_subscribed
        old.digest_subscribed = False
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.state.in_(OPEN_STATES))
        .values(chat_id=new_chat_id)
    )


async def mark_unreachable(
    session: AsyncSession,
    *,
    chat_id: int,
    description: str,
    at: datetime,
    also_notify: Sequence[int] = (),
) -> int:
    """Telegram said 403: flag the user's active contacts and tell every active staff member.

    Notices are outbox rows keyed by (day, staff, chat), so a repeated 403 does not repeat
    them. Returns how many notices were newly enqueued.
    """
    contacts = (
        await session.scalars(
            select(Contact).where(Contact.telegram_user_id == chat_id, Contact.active)
        )
    ).all()
    for contact in contacts:
        contact.unreachable_at = contact.unreachable_at or at
    names = ", ".join(c.display_name or str(c.telegram_user_id) for c in contacts)
    text = f"⚠️ 无法送达 / unreachable: {names or chat_id} — {description}"
    staff = sorted(
        set((await session.scalars(select(Staff.telegram_user_id).where(Staff.active))).all())
        | set(also_notify)
    )
    notices = [
        NewMessage(
            UNREACHABLE_NOTICE,
            at.strftime("%Y-%m-%d"),
            f"{user}:{chat_id}",
            user,
            {"text": text, "parse_mode": None, "reply_markup": None},
            at,
        )
        for user in staff
        if user != chat_id
    ]
    return await enqueue_many(session, notices)
