"""The outbox on real SQLite and PostgreSQL: insert-or-ignore, claims, leases, outcomes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.vocab import ChatType, ContactRole, OutboxState
from models import Chat, Contact, OutboxMessage, Staff
from models.db import transaction
from services import outbox, outbox_chats
from services.outbox import NewMessage
from tests.factories import make_unit

NOW = datetime(2023, 4, 1, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
PAYLOAD = {"text": "请填报 3 月进展", "parse_mode": None, "reply_markup": None}


def message(recipient: str, chat_id: int = 1001, **kw: object) -> NewMessage:
    fields: dict[str, object] = {
        "kind": "prompt",
        "period": "2023-03",
        "recipient": recipient,
        "chat_id": chat_id,
        "payload": PAYLOAD,
        "not_before": NOW,
        **kw,
    }
    return NewMessage(**fields)  # type: ignore[arg-type]


async def add(session: AsyncSession, *messages: NewMessage) -> list[int]:
    rows = [await outbox.enqueue(session, **vars(m)) for m in messages]
    return [row.id for row in rows if row is not None]


async def claim(
    factory: async_sessionmaker[AsyncSession],
    at: datetime = NOW,
    worker: str = "w1",
    limit: int = 10,
) -> list[OutboxMessage]:
    async with transaction(factory) as session:
        return await outbox.claim_due(session, now=at, limit=limit, worker_id=worker, lease=LEASE)


async def test_enqueue_twice_keeps_one_row(session: AsyncSession) -> None:
    first = await outbox.enqueue(session, **vars(message("unit-1")))
    again = await outbox.enqueue(session, **vars(message("unit-1", chat_id=999)))
    assert first is not None and first.state == OutboxState.PENDING and first.attempts == 0
    assert again is None
    assert await outbox.counts_by_state(session) == {OutboxState.PENDING: 1}
    assert (await outbox.list_rows(session))[0].chat_id == 1001


async def test_bulk_enqueue_inserts_thousands_and_ignores_existing(session: AsyncSession) -> None:
    await add(session, message("unit-7"))
    batch = [message(f"unit-{n}", chat_id=1000 + n) for n in range(2500)]
    assert await outbox.enqueue_many(session, batch) == 2499
    assert await outbox.enqueue_many(session, batch) == 0
    assert await outbox.counts_by_state(session) == {OutboxState.PENDING: 2500}


async def test_claim_takes_due_rows_once(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with transaction(session_factory) as session:
        await add(session, message("a"), message("b"), message("later", not_before=NOW + LEASE))
    rows = await claim(session_factory)
    assert sorted(r.recipient for r in rows) == ["a", "b"]
    assert {(r.state, r.claimed_by, r.attempts) for r in rows} == {(OutboxState.SENDING, "w1", 1)}
    assert await claim(session_factory, worker="w2") == []  # claimed, lease not expired


async def test_group_rows_are_claimed_before_private_ones(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """A group's 20-a-minute windows must start while the private fan-out runs, not after:
    the first claim holds the groups' rows though they were queued last and fall due later."""
    private = [message(f"p{n}", chat_id=2000 + n, not_before=NOW - LEASE / 4) for n in range(6)]
    groups = [message(f"g{n}", chat_id=-100 - n) for n in (1, 2)]
    late_group = message("g-late", chat_id=-103, not_before=NOW + LEASE)  # not due yet
    async with transaction(session_factory) as session:
        await add(session, *private, *groups, late_group)
    first = await claim(session_factory, limit=4)
    assert [r.recipient for r in first] == ["g1", "g2", "p0", "p1"]
    rest = await claim(session_factory, limit=10)
    assert [r.recipient for r in rest] == ["p2", "p3", "p4", "p5"]


async def test_concurrent_claims_are_disjoint(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(session_factory) as session:
        await outbox.enqueue_many(session, [message(f"u{n}") for n in range(60)])
    batches = await asyncio.gather(*(claim(session_factory, worker=f"w{n}") for n in range(6)))
    ids = [row.id for batch in batches for row in batch]
    assert len(ids) == len(set(ids)) == 60


async def test_outcomes(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with transaction(session_factory) as session:
        sent, retry, failed, cancelled = await add(
            session, message("s"), message("r"), message("f"), message("c")
        )
    await claim(session_factory)
    later = NOW + timedelta(seconds=30)
    async with transaction(session_factory) as session:
        assert await outbox.mark_sent(session, sent, message_id=42, at=NOW)
        assert await outbox.mark_retry(
            session, retry, error="NetworkError: 502", next_attempt_at=later
        )
        assert await outbox.mark_failed(session, failed, error="BadRequest: chat not found")
        assert await outbox.cancel(session, cancelled)
        assert not await outbox.mark_failed(session, sent, error="too late")  # sent stays sent
    async with session_factory() as session:
        states = {r.recipient: r for r in await outbox.list_rows(session)}
    assert states["s"].state == OutboxState.SENT and states["s"].sent_message_id == 42
    assert states["r"].state == OutboxState.PENDING and states["r"].next_attempt_at == later
    assert states["f"].last_error == "BadRequest: chat not found"
    assert states["c"].state == OutboxState.CANCELLED
    assert [r.recipient for r in await claim(session_factory, at=later)] == ["r"]


async def test_release_does_not_count_an_attempt(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(session_factory) as session:
        (row_id,) = await add(session, message("paced"))
    await claim(session_factory)
    async with transaction(session_factory) as session:
        assert await outbox.release(session, row_id, next_attempt_at=NOW + timedelta(seconds=9))
    (row,) = await claim(session_factory, at=NOW + timedelta(seconds=9))
    assert row.attempts == 1


async def test_unknown_outcome_is_resent_and_counted(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(session_factory) as session:
        (row_id,) = await add(session, message("timeout"))
    await claim(session_factory)
    async with transaction(session_factory) as session:
        await outbox.mark_unknown(session, row_id, error="TimedOut", next_attempt_at=NOW)
    (row,) = await claim(session_factory)
    assert row.attempts == 2 and outbox.possible_duplicates(row.last_error) == 1
    async with transaction(session_factory) as session:
        await outbox.mark_sent(session, row_id, message_id=7, at=NOW)
        assert await outbox.count_possible_duplicates(session) == 1
    async with session_factory() as session:
        assert (await outbox.list_rows(session, state=OutboxState.SENT))[0].last_error == (
            "[possible duplicates: 1] TimedOut"
        )


async def test_row_left_sending_by_a_crash_is_reclaimed_after_the_lease(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(session_factory) as session:
        await add(session, message("crash"))
    await claim(session_factory, worker="crashed")
    assert await claim(session_factory, at=NOW + LEASE - timedelta(seconds=1), worker="w2") == []
    (row,) = await claim(session_factory, at=NOW + LEASE, worker="w2")
    assert (row.claimed_by, row.attempts) == ("w2", 2)
    assert row.last_error == "[possible duplicates: 1] lease of crashed expired while sending"


async def test_mark_unreachable_flags_contacts_and_tells_staff(session: AsyncSession) -> None:
    unit = await make_unit(session, "市发改委")
    session.add_all(
        [
            Contact(
                telegram_user_id=1001,
                unit_id=unit.id,
                role=ContactRole.CONTACT,
                display_name="张三",
            ),
            Contact(
                telegram_user_id=1001, unit_id=unit.id, role=ContactRole.PRINCIPAL, active=False
            ),
            Staff(telegram_user_id=9001),
            Staff(telegram_user_id=9002, active=False),
            Staff(telegram_user_id=9003),
        ]
    )
    await session.flush()
    blocked = {"chat_id": 1001, "description": "blocked", "at": NOW}
    assert await outbox_chats.mark_unreachable(session, **blocked) == 2
    assert await outbox_chats.mark_unreachable(session, **blocked) == 0
    contacts = (await session.scalars(select(Contact).order_by(Contact.id))).all()
    assert [c.unreachable_at for c in contacts] == [NOW, None]
    notices = await outbox.list_rows(session)
    assert {(n.kind, n.chat_id) for n in notices} == {
        (outbox_chats.UNREACHABLE_NOTICE, 9001),
        (outbox_chats.UNREACHABLE_NOTICE, 9003),
    }
    assert "张三" in notices[0].payload["text"]


async def test_reroute_chat_moves_the_chat_and_open_rows(session: AsyncSession) -> None:
    session.add(Chat(telegram_chat_id=-100, type=ChatType.GROUP, digest_subscribed=True))
    pending, done = await add(session, message("g", chat_id=-100), message("h", chat_id=-100))
    await outbox.mark_sent(session, done, message_id=1, at=NOW)
    await outbox_chats.reroute_chat(session, old_chat_id=-100, new_chat_id=-1000000000100)
    chat = await session.scalar(select(Chat))
    assert chat is not None and chat.telegram_chat_id == -1000000000100 and chat.digest_subscribed
    rows = {r.id: r.chat_id for r in await outbox.list_rows(session)}
    assert rows == {pending: -1000000000100, done: -100}


async def test_reroute_to_a_known_supergroup_links_the_old_row(session: AsyncSession) -> None:
    session.add_all(
        [
            Chat(telegram_chat_id=-100, type=ChatType.GROUP, digest_subscribed=True),
            Chat(telegram_chat_id=-1000000000100, type=ChatType.SUPERGROUP),
        ]
    )
    await session.flush()
    await outbox_chats.reroute_chat(session, old_chat_id=-100, new_chat_id=-1000000000100)
    old, new = (await session.scalars(select(Chat).order_by(Chat.id))).all()
    assert (old.migrated_to, old.digest_subscribed, new.digest_subscribed) == (
        -1000000000100,
        False,
        True,
    )
