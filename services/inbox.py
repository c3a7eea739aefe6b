"""The inbox: every incoming update is a row before Telegram is told it arrived.

Nothing lost: polling confirms an update (its offset) and the webhook answers 200 only after
the row committed. Nothing doubled: ``update_id`` is unique, so a re-delivered update is an
insert that does nothing. Rows are then claimed by a worker (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE) under a lease, handled, and marked
done; a row whose handler fails is retried with backoff, then parked as ``failed`` for
``ledgerbot inbox retry``. When the *database* fails (full, read-only, gone) the attempt does
not count: the row waits for the database rather than being parked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import InboxState
from models import InboxUpdate

LEASE = timedelta(seconds=30)  # a claim; renewed every 10 s while its row is being handled
MAX_ATTEMPTS = 5  # failed handler runs before a row is parked as failed
FIRST_RETRY = timedelta(seconds=1)  # then doubled: 1, 2, 4, 8 s
STORAGE_RETRY = timedelta(seconds=5)  # the database failed: try again, without counting
KEEP_DONE = timedelta(days=7)  # handled rows are kept this long (re-deliveries come within 24 h)
_ERROR_CHARS = 500


def describe(raw: dict[str, Any]) -> tuple[str, int | None]:
    """An update's kind (message, callback_query, …) and its chat (else its sender)."""
    kind = next((key for key in raw if key != "update_id"), "unknown")
    body = raw.get(kind)
    if not isinstance(body, dict):
        return kind, None
    message = body.get("message") if kind == "callback_query" else None
    for source in (body, message if isinstance(message, dict) else {}):
        chat = source.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return kind, chat["id"]
    sender = body.get("from") or body.get("user")
    if isinstance(sender, dict) and isinstance(sender.get("id"), int):
        return kind, sender["id"]
    return kind, None


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(InboxUpdate)


async def store(session: AsyncSession, updates: Sequence[dict[str, Any]], *, now: datetime) -> int:
    """Insert updates not seen before (by update_id); returns how many were new."""
    if not updates:
        return 0
    rows = []
    for raw in updates:
        kind, chat_id = describe(raw)
        rows.append(
            {
                "update_id": raw["update_id"],
                "kind": kind[:40],
                "chat_id": chat_id,
                "payload": raw,
                "state": InboxState.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "received_at": now,
            }
        )
    stmt = _insert(session).values(rows).on_conflict_do_nothing(index_elements=["update_id"])
    result = await session.execute(stmt)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def claim(
    session: AsyncSession, *, now: datetime, limit: int, worker_id: str, lease: timedelta
) -> list[InboxUpdate]:
    """Claim due rows in arrival order: pending ones due now, and ones whose lease expired."""
    row = InboxUpdate
    due = and_(row.state == InboxState.PENDING, row.next_attempt_at <= now)
    stale = and_(row.state == InboxState.PROCESSING, row.claimed_at <= now - lease)
    stmt = (
        select(row)
        .where(or_(due, stale))
        .order_by(row.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    rows = list((await session.scalars(stmt)).all())
    for claimed in rows:
        claimed.state, claimed.claimed_by, claimed.claimed_at = (
            InboxState.PROCESSING,
            worker_id,
            now,
        )
    return rows


async def renew(
    session: AsyncSession, ids: Sequence[int], *, worker_id: str, now: datetime
) -> None:
    """Extend this worker's lease on the rows it is still handling."""
    if ids:
        await session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id.in_(ids), InboxUpdate.claimed_by == worker_id)
            .where(InboxUpdate.state == InboxState.PROCESSING)
            .values(claimed_at=now)
        )


async def mark_done(session: AsyncSession, row_ids: Sequence[int], *, now: datetime) -> None:
    """Rows handled (one statement for a worker's finished batch)."""
    if row_ids:
        await session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id.in_(row_ids))
            .values(state=InboxState.DONE, handled_at=now, claimed_by=None, claimed_at=None)
        )


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failure: 1, 2, 4, 8 s."""
    factor: int = 2 ** max(attempts - 1, 0)
    return FIRST_RETRY * factor


async def mark_failed_attempt(
    session: AsyncSession, row_id: int, *, error: str, now: datetime
) -> InboxUpdate | None:
    """Count a failed handler run: due again after a backoff, or parked after MAX_ATTEMPTS."""
    row = await session.get(InboxUpdate, row_id, with_for_update=True)
    if row is None:
        return None
    row.attempts += 1
    row.last_error = error[:_ERROR_CHARS]
    row.claimed_by = row.claimed_at = None
    if row.attempts >= MAX_ATTEMPTS:
        row.state = InboxState.FAILED
    else:
        row.state, row.next_attempt_at = InboxState.PENDING, now + retry_delay(row.attempts)
    return row


async def mark_unsaved(session: AsyncSession, row_id: int, *, error: str, now: datetime) -> None:
    """The database failed while handling: try again later, without counting an attempt."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.id == row_id)
        .values(
            state=InboxState.PENDING,
            next_attempt_at=now + STORAGE_RETRY,
            last_error=error[:_ERROR_CHARS],
            claimed_by=None,
            claimed_at=None,
        )
    )


async def release(
    session: AsyncSession, *, worker_id: str, ids: Sequence[int] | None = None
) -> int:
    """Give back claimed rows (all of the worker's, or `ids`) so they are due at once."""
    stmt = update(InboxUpdate).where(
        InboxUpdate.state == InboxState.PROCESSING, InboxUpdate.claimed_by == worker_id
    )
    if ids is not None:
        stmt = stmt.where(InboxUpdate.id.in_(ids))
    result = await session.execute(
        stmt.values(state=InboxState.PENDING, claimed_by=None, claimed_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def claimants(session: AsyncSession) -> list[str]:
    """The workers holding rows now (start-up releases those of this host that are dead)."""
    stmt = select(InboxUpdate.claimed_by).where(InboxUpdate.state == InboxState.PROCESSING)
    return sorted({c for c in (await session.scalars(stmt.distinct())).all() if c})


async def retry(
    session: AsyncSession, row_id: int, *, now: datetime
) -> tuple[InboxUpdate | None, bool]:
    """Put a parked (failed) row back in line with a fresh attempt budget. Returns the row
    (None if unknown) and whether it was requeued (only failed rows are)."""
    row = await session.get(InboxUpdate, row_id, with_for_update=True)
    if row is None or row.state != InboxState.FAILED:
        return row, False
    row.state, row.attempts, row.next_attempt_at = InboxState.PENDING, 0, now
    return row, True


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Forget rows handled before `before` (failed rows stay until someone looks)."""
    result = await session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.state == InboxState.DONE, InboxUpdate.handled_at < before
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def list_rows(
    session: AsyncSession, *, state: InboxState | None = None, limit: int = 100
) -> list[InboxUpdate]:
    stmt = select(InboxUpdate).order_by(InboxUpdate.id.desc()).limit(limit)
    if state is not None:
        stmt = stmt.where(InboxUpdate.state == state)
    return list((await session.scalars(stmt)).all())


async def counts_by_state(session: AsyncSession) -> dict[InboxState, int]:
    stmt = select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)
    return {InboxState(state): count for state, count in (await session.execute(stmt)).all()}


# PostgreSQL SQLSTATEs of a database that cannot be used right now: connection (08), out of
# resources such as a full disk (53), shut down (57), system error (58), read-only (25006),
# dropped (3D000).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57", "58", "25006", "3D000")


def is_storage_failure(error: BaseException) -> bool:
    """The database could not be used (full, read-only, locked, gone), as opposed to a bug."""
    if isinstance(error, OperationalError | InterfaceError | ConnectionError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    return error.connection_invalidated or sqlstate.startswith(_UNAVAILABLE_SQLSTATES)


def short_error(error: BaseException) -> str:
    """One line naming the error, without the SQL and parameters SQLAlchemy appends (they can
    hold what users wrote)."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = " ".join(str(cause).split()) or "(no message)"
    return f"{type(cause).__name__}: {text}"[:_ERROR_CHARS]
