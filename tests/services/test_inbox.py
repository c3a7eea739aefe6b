"""The inbox on real SQLite and PostgreSQL: dedupe by update_id, claims, leases, backoff,
parking, retry, pruning, and which errors mean "the database failed"."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.vocab import InboxState
from models import InboxUpdate
from models.db import transaction
from services import inbox

NOW = datetime(2023, 4, 3, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def message(update_id: int, chat_id: int = 501, text: str = "/report 1 序时推进 进展") -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1680487200,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "填报人"},
            "text": text,
        },
    }


async def store(factory: async_sessionmaker[AsyncSession], *raws: dict) -> int:
    async with transaction(factory) as session:
        return await inbox.store(session, raws, now=NOW)


async def claim(
    factory: async_sessionmaker[AsyncSession], at: datetime = NOW, worker: str = "w1"
) -> list[InboxUpdate]:
    async with transaction(factory) as session:
        return await inbox.claim(session, now=at, limit=10, worker_id=worker, lease=LEASE)


async def rows(factory: async_sessionmaker[AsyncSession]) -> list[InboxUpdate]:
    async with transaction(factory) as session:
        return list((await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id))).all())


async def test_a_redelivered_update_is_stored_once(session_factory) -> None:
    assert await store(session_factory, message(1), message(2)) == 2
    assert await store(session_factory, message(2), message(3)) == 1  # 2 came again
    stored = await rows(session_factory)
    assert [r.update_id for r in stored] == [1, 2, 3]
    first = stored[0]
    assert (first.kind, first.chat_id, first.state, first.attempts) == (
        "message",
        501,
        InboxState.PENDING,
        0,
    )
    assert first.payload == message(1)  # the raw update, as it came
    assert first.received_at == NOW


def test_describe_finds_the_chat_of_every_kind() -> None:
    button = {
        "update_id": 9,
        "callback_query": {
            "id": "q",
            "from": {"id": 7, "is_bot": False, "first_name": "x"},
            "message": {"message_id": 3, "date": 0, "chat": {"id": -100, "type": "group"}},
            "chat_instance": "c",
            "data": "rs:1",
        },
    }
    assert inbox.describe(button) == ("callback_query", -100)
    inline = {"update_id": 10, "inline_query": {"id": "i", "from": {"id": 8}, "query": ""}}
    assert inbox.describe(inline) == ("inline_query", 8)
    assert inbox.describe({"update_id": 11, "poll": {"id": "p"}}) == ("poll", None)
    assert inbox.describe(message(12, chat_id=42)) == ("message", 42)


async def test_claims_in_order_once_and_reclaims_after_the_lease(session_factory) -> None:
    await store(session_factory, message(1), message(2, chat_id=502))
    first = await claim(session_factory)
    assert [r.update_id for r in first] == [1, 2]
    assert all(r.state == InboxState.PROCESSING and r.claimed_by == "w1" for r in first)
    assert await claim(session_factory, worker="w2") == []  # held by w1
    later = NOW + LEASE + timedelta(seconds=1)
    async with transaction(session_factory) as session:  # w1 is alive: it renews one of them
        await inbox.renew(session, [first[0].id], worker_id="w1", now=NOW + LEASE)
    taken = await claim(session_factory, at=later, worker="w2")
    assert [r.update_id for r in taken] == [2]  # the one whose lease ran out


async def test_concurrent_claims_never_share_a_row(session_factory) -> None:
    await store(session_factory, *(message(n, chat_id=500 + n) for n in range(1, 31)))
    batches = await asyncio.gather(*(claim(session_factory, worker=f"w{i}") for i in range(4)))
    claimed = [r.update_id for batch in batches for r in batch]
    assert sorted(claimed) == list(range(1, 31))  # 4 workers × at most 10, each row once


async def test_failures_back_off_then_park_and_retry_requeues(session_factory) -> None:
    await store(session_factory, message(1))
    moment = NOW
    delays = []
    for attempt in range(1, inbox.MAX_ATTEMPTS + 1):
        [row] = await claim(session_factory, at=moment)
        async with transaction(session_factory) as session:
            marked = await inbox.mark_failed_attempt(
                session, row.id, error="BadRequest: boom", now=moment
            )
            assert marked is not None
            state = marked.state
        [row] = await rows(session_factory)
        assert row.attempts == attempt and row.last_error == "BadRequest: boom"
        if attempt < inbox.MAX_ATTEMPTS:
            assert state == InboxState.PENDING
            delays.append((row.next_attempt_at - moment).total_seconds())
            assert (
                await claim(session_factory, at=row.next_attempt_at - timedelta(seconds=0.5)) == []
            )
            moment = row.next_attempt_at
        else:
            assert state == InboxState.FAILED
    assert delays == [1.0, 2.0, 4.0, 8.0]
    assert await claim(session_factory, at=moment + timedelta(days=1)) == []  # parked
    async with transaction(session_factory) as session:
        row, requeued = await inbox.retry(session, row.id, now=moment)
    assert requeued and row is not None
    [again] = await claim(session_factory, at=moment)
    assert again.attempts == 0  # a fresh budget
    async with transaction(session_factory) as session:
        await inbox.mark_done(session, [again.id], now=moment)
        done, requeued = await inbox.retry(session, again.id, now=moment)
        assert done is not None and done.state == InboxState.DONE and not requeued
        assert await inbox.retry(session, 999, now=moment) == (None, False)


async def test_database_trouble_does_not_use_up_attempts(session_factory) -> None:
    await store(session_factory, message(1))
    moment = NOW
    for _ in range(inbox.MAX_ATTEMPTS + 2):
        [row] = await claim(session_factory, at=moment)
        async with transaction(session_factory) as session:
            await inbox.mark_unsaved(session, row.id, error="OperationalError: full", now=moment)
        moment += inbox.STORAGE_RETRY
    [row] = await rows(session_factory)
    assert (row.state, row.attempts, row.last_error) == (
        InboxState.PENDING,
        0,
        "OperationalError: full",
    )


async def test_release_and_claimants(session_factory) -> None:
    await store(session_factory, message(1), message(2, chat_id=502))
    await claim(session_factory, worker="host-123")
    async with transaction(session_factory) as session:
        assert await inbox.claimants(session) == ["host-123"]
        assert await inbox.release(session, worker_id="host-123") == 2
    assert [r.update_id for r in await claim(session_factory, worker="w2")] == [1, 2]


async def test_prune_keeps_recent_and_failed_rows(session_factory) -> None:
    await store(session_factory, message(1), message(2, chat_id=502), message(3, chat_id=503))
    [one, two, three] = await claim(session_factory)
    async with transaction(session_factory) as session:
        await inbox.mark_done(session, [one.id], now=NOW - timedelta(days=8))
        await inbox.mark_done(session, [two.id], now=NOW - timedelta(days=1))
        for _ in range(inbox.MAX_ATTEMPTS):
            await inbox.mark_failed_attempt(session, three.id, error="x", now=NOW)
        assert await inbox.prune(session, before=NOW - inbox.KEEP_DONE) == 1
    assert [r.update_id for r in await rows(session_factory)] == [2, 3]


async def test_counts_and_listing(session_factory) -> None:
    await store(session_factory, message(1), message(2, chat_id=502))
    [first, _] = await claim(session_factory)
    async with transaction(session_factory) as session:
        await inbox.mark_done(session, [first.id], now=NOW)
        assert await inbox.counts_by_state(session) == {
            InboxState.DONE: 1,
            InboxState.PROCESSING: 1,
        }
        listed = await inbox.list_rows(session, state=InboxState.DONE)
        assert [r.update_id for r in listed] == [1]


def test_storage_failures_are_told_apart_from_bugs() -> None:
    full = OperationalError("INSERT …", {}, Exception("database or disk is full"))
    assert inbox.is_storage_failure(full)
    assert inbox.is_storage_failure(ConnectionRefusedError())
    assert not inbox.is_storage_failure(IntegrityError("INSERT", {}, Exception("unique")))
    assert not inbox.is_storage_failure(ValueError("a bug"))
    # the SQL and its parameters (what users wrote) stay out of the one-line error
    secret = OperationalError("INSERT INTO t VALUES (?)", ("私人内容",), Exception("disk is full"))
    assert inbox.short_error(secret) == "Exception: disk is full"


@pytest.mark.parametrize("sqlstate", ["53100", "25006", "57P01", "08006"])
def test_postgres_unavailable_states_are_storage_failures(sqlstate: str) -> None:
    from sqlalchemy.exc import DBAPIError

    class PgError(Exception):
        pass

    orig = PgError("server trouble")
    orig.sqlstate = sqlstate  # type: ignore[attr-defined]
    assert inbox.is_storage_failure(DBAPIError("UPDATE", {}, orig))
    orig.sqlstate = "42601"  # type: ignore[attr-defined]  (a syntax error: a bug)
    assert not inbox.is_storage_failure(DBAPIError("UPDATE", {}, orig))
