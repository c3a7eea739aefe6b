"""The dispatcher against the Bot API double, on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.vocab import ChatType, ContactRole, OutboxState
from models import Chat, Contact, OutboxMessage, Staff
from models.db import make_engine, make_session_factory, transaction
from scheduler.pacing import Limits
from services import outbox, outbox_chats
from tests.factories import make_unit
from tests.scheduler.conftest import DispatcherMaker, enqueue_texts, now
from tests.telegram_double import TelegramDouble

# PTB itself reads RetryAfter.retry_after while building the error, which warns.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

USER, STAFF, GROUP = 100_001, 900_001, -4_000_000_001


async def rows(factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with factory() as session:
        return await outbox.list_rows(session, limit=10_000)


def received(tg: TelegramDouble, chat_id: int) -> list[str]:
    return [m.fields["text"] for m in tg.state.messages.get(chat_id, {}).values()]


async def run(make: DispatcherMaker, budget: float = 10.0, **kw: object) -> None:
    dispatcher = make(**kw)
    await dispatcher.start()
    assert await dispatcher.drain(budget)
    await dispatcher.stop()


async def test_two_workers_deliver_each_message_exactly_once(
    tg: TelegramDouble,
    db_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    users = [tg.state.add_user(f"U{n}", user_id=USER + n).id for n in range(100)]
    await enqueue_texts(session_factory, users + users)  # 200 rows, two per chat
    second = make_engine(db_url)
    try:  # no fault is injected, and no send may time out on a busy machine: exactly once
        workers = [
            make_dispatcher(worker_id="a", send_timeout=30.0),
            make_dispatcher(make_session_factory(second), worker_id="b", send_timeout=30.0),
        ]
        for worker in workers:
            await worker.start()
        assert all([await w.drain(20) for w in workers])
        for worker in workers:
            await worker.stop()
    finally:
        await second.dispose()
    texts = Counter(t for user in users for t in received(tg, user))
    assert texts == Counter({f"请填报 #{n}": 1 for n in range(200)})  # each exactly once
    done = await rows(session_factory)
    assert {(r.state, r.attempts, r.claimed_by) for r in done} == {(OutboxState.SENT, 1, None)}


async def waiting_rows(factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    return [r for r in await rows(factory) if r.state == OutboxState.PENDING]


async def test_a_private_chat_keeps_its_pace(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    """A pace so slow that no timing can blur it (one message per 1,000 s in a chat): once
    everything due now is sent, one message reached the busy chat, one each of the others,
    and the rest wait for their turn. (Real-time rates are `bench/bench_fanout.py`'s figures;
    the pacing rules themselves are tested on a fake clock in `test_pacing.py`.)"""
    tg.state.add_user("U", user_id=USER)
    others = [tg.state.add_user(f"O{n}", user_id=USER + 1 + n).id for n in range(30)]
    await enqueue_texts(session_factory, [USER] * 3 + others)
    await run(make_dispatcher, pacing=Limits(private_per_second=0.001))
    assert received(tg, USER) == ["请填报 #0"]
    assert [received(tg, chat) for chat in others] == [[f"请填报 #{3 + n}"] for n in range(30)]
    waiting = await waiting_rows(session_factory)
    assert [r.chat_id for r in waiting] == [USER, USER]
    assert min(r.next_attempt_at for r in waiting) > now() + timedelta(minutes=10)
    assert tg.stats.statuses[429] == 0


async def test_a_group_keeps_its_budget(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    """Two messages per hour in a group: two of four go now, two wait most of the hour."""
    tg.state.add_group("G", chat_id=GROUP)
    await enqueue_texts(session_factory, [GROUP] * 4)
    await run(make_dispatcher, pacing=Limits(group_per_minute=2, group_window=3600.0))
    assert received(tg, GROUP) == ["请填报 #0", "请填报 #1"]
    waiting = await waiting_rows(session_factory)
    assert [r.chat_id for r in waiting] == [GROUP, GROUP]
    assert min(r.next_attempt_at for r in waiting) > now() + timedelta(minutes=50)


async def test_retry_after_is_honoured_without_loss(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    tg.state.add_user("U", user_id=USER)
    tg.faults.add(method="sendMessage", kind="429", chat_id=USER, retry_after=1)
    await enqueue_texts(session_factory, [USER])
    started = time.time()
    await run(make_dispatcher)
    assert received(tg, USER) == ["请填报 #0"]
    assert tg.stats.sends[USER][0] - started >= 1.0
    (row,) = await rows(session_factory)
    assert (row.state, row.attempts) == (OutboxState.SENT, 1)


async def test_server_errors_are_retried(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    tg.state.add_user("U", user_id=USER)
    tg.faults.add(method="sendMessage", kind="500", chat_id=USER)
    tg.faults.add(method="sendMessage", kind="502", chat_id=USER)
    await enqueue_texts(session_factory, [USER])
    await run(make_dispatcher)
    assert received(tg, USER) == ["请填报 #0"]
    (row,) = await rows(session_factory)
    assert (row.state, row.attempts) == (OutboxState.SENT, 3)
    assert row.last_error is not None and "Bad Gateway" in row.last_error


async def test_persistent_errors_end_in_failed(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    tg.state.add_user("U", user_id=USER)
    tg.faults.add(method="sendMessage", kind="500", chat_id=USER, count=None, probability=1.0)
    await enqueue_texts(session_factory, [USER])
    await run(make_dispatcher, max_attempts=3)
    (row,) = await rows(session_factory)
    assert (row.state, row.attempts) == (OutboxState.FAILED, 3)
    assert row.last_error == "gave up after 3: NetworkError: Internal Server Error"


async def test_timeout_after_send_is_resent_and_counted(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    tg.state.add_user("U", user_id=USER)
    tg.faults.add(method="sendMessage", kind="timeout_after", chat_id=USER, hold=1.0)
    await enqueue_texts(session_factory, [USER])
    await run(make_dispatcher, send_timeout=0.3)
    assert received(tg, USER) == ["请填报 #0", "请填报 #0"]  # at least once, never lost
    (row,) = await rows(session_factory)
    assert (row.state, row.attempts, row.sent_message_id) == (OutboxState.SENT, 2, 2)
    assert outbox.possible_duplicates(row.last_error) == 1


async def test_forbidden_marks_contact_unreachable_and_tells_staff(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    tg.state.add_user("U", user_id=USER, blocked=True)
    tg.state.add_user("Staff", user_id=STAFF)
    tg.expect_error("sendMessage", "bot was blocked by the user", times=1)
    async with transaction(session_factory) as session:
        unit = await make_unit(session, "市住建局")
        session.add_all(
            [
                Staff(telegram_user_id=STAFF),
                Contact(telegram_user_id=USER, unit_id=unit.id, role=ContactRole.CONTACT),
            ]
        )
    await enqueue_texts(session_factory, [USER])
    await run(make_dispatcher)
    prompt, notice = await rows(session_factory)
    assert (prompt.state, prompt.last_error) == (
        OutboxState.FAILED,
        "Forbidden: bot was blocked by the user",
    )
    assert (notice.kind, notice.state) == (outbox_chats.UNREACHABLE_NOTICE, OutboxState.SENT)
    assert "bot was blocked" in received(tg, STAFF)[0]
    async with session_factory() as session:
        contact = await session.scalar(select(Contact))
    assert contact is not None and contact.unreachable_at is not None


async def test_bad_request_fails_with_the_description(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    tg.expect_error("sendMessage", "chat not found", times=1)
    await enqueue_texts(session_factory, [USER])  # the double knows no such chat
    await run(make_dispatcher)
    (row,) = await rows(session_factory)
    assert (row.state, row.last_error) == (OutboxState.FAILED, "BadRequest: Chat not found")


async def test_migrated_group_gets_the_message_at_its_new_id(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    old = tg.state.add_group("G", chat_id=GROUP)
    new_id = tg.state.migrate(old).id
    tg.expect_error("sendMessage", "upgraded to a supergroup", times=1)  # the 2nd row follows
    async with transaction(session_factory) as session:
        session.add(Chat(telegram_chat_id=GROUP, type=ChatType.GROUP, digest_subscribed=True))
    await enqueue_texts(session_factory, [GROUP, GROUP])
    await run(make_dispatcher)
    assert received(tg, new_id)[-2:] == ["请填报 #0", "请填报 #1"]
    assert {(r.state, r.chat_id) for r in await rows(session_factory)} == {
        (OutboxState.SENT, new_id)
    }
    async with session_factory() as session:
        chat = await session.scalar(select(Chat))
    assert chat is not None and (chat.telegram_chat_id, chat.type) == (new_id, ChatType.SUPERGROUP)


async def test_rows_left_sending_by_a_crash_are_resent_after_the_lease(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    tg.state.add_user("U", user_id=USER)
    await enqueue_texts(session_factory, [USER, USER])
    async with transaction(session_factory) as session:
        await session.execute(
            update(OutboxMessage).values(
                state=OutboxState.SENDING,
                claimed_by="dead",
                attempts=1,
                claimed_at=now() - timedelta(minutes=3),
            )
        )
    await run(make_dispatcher, lease=timedelta(minutes=2))
    assert sorted(received(tg, USER)) == ["请填报 #0", "请填报 #1"]
    done = await rows(session_factory)
    assert {(r.state, r.attempts) for r in done} == {(OutboxState.SENT, 2)}
    async with session_factory() as session:
        assert await outbox.count_possible_duplicates(session) == 2


async def test_wake_sends_without_waiting_for_the_poll(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    tg.state.add_user("U", user_id=USER)
    dispatcher = make_dispatcher(poll_interval=3600.0)  # the next poll is an hour away
    await dispatcher.start()
    assert await dispatcher.drain(10)  # idle, its claims done: the next one is an hour away
    await enqueue_texts(session_factory, [USER])
    version = tg.state.changed.version
    dispatcher.wake()
    while not received(tg, USER):  # only the wake can send it within the hour
        before, version = version, await tg.state.changed.wait(version, 60)
        assert version != before, "nothing was sent: wake() did not claim the new row"
    assert received(tg, USER) == ["请填报 #0"]
