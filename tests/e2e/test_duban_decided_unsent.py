"""No live 审定 buttons for a decided entry, through the real bot: while the outbox is held (this
test keeps the dispatch lock, so the bot stores and queues but sends nothing) a report's 审定
requests to the unit's two principals wait unsent; one principal approves it from /pending; once
the lock is free both requests arrive already decided (the outcome, no buttons) and nothing has
to be edited."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import func, select

from models import Contact, OutboxMessage, ProgressEntry, Unit
from models.db import make_engine, make_session_factory, transaction
from scheduler.dispatch_lock import DispatchLock
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, bind_contacts, seed

pytestmark = pytest.mark.e2e

CONTACTS = {TRANSPORT: 690_000_001, DEVELOPMENT: 690_000_002, WATER: 690_000_003}
FIRST, SECOND = 690_000_009, 690_000_019  # 市交通运输局's two principals


async def _principals(url: str) -> None:
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        unit = await session.scalar(select(Unit.id).where(Unit.name == TRANSPORT))
        for user in (FIRST, SECOND):
            session.add(Contact(telegram_user_id=user, unit_id=unit, role="principal"))
    await engine.dispose()


async def _count(url: str, what: object) -> int:
    engine = make_engine(url)
    async with engine.connect() as connection:
        found = int(await connection.scalar(select(func.count()).select_from(what)) or 0)
    await engine.dispose()
    return found


class HeldOutbox:
    """The dispatch lock, held by this test on its own thread and loop until `release()`."""

    def __init__(self, url: str) -> None:
        self._url, self._taken, self._done = url, threading.Event(), threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._hold()), daemon=True)

    async def _hold(self) -> None:
        engine = make_engine(self._url)
        lock = DispatchLock(engine)
        assert await lock.held()
        self._taken.set()
        await asyncio.to_thread(self._done.wait)
        await lock.release()
        await engine.dispose()

    def __enter__(self) -> HeldOutbox:
        self._thread.start()
        assert self._taken.wait(30)
        return self

    def release(self) -> None:
        self._done.set()
        self._thread.join(30)

    def __exit__(self, *_: object) -> None:
        self.release()


def test_a_request_decided_before_it_went_arrives_decided(harness: Harness) -> None:
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    asyncio.run(_principals(harness.db_url))
    contact = CONTACTS[TRANSPORT]
    for user in (contact, FIRST, SECOND):
        harness.control.create_user("单位人员", user_id=user)
    with HeldOutbox(harness.db_url) as held:
        harness.start(LEDGERBOT_FAKE_NOW="2023-04-03T10:00:00+08:00")
        harness.control.send_message(contact, "/report 5 序时推进 路基完成70%")
        harness.control.wait_until(
            lambda: asyncio.run(_count(harness.db_url, ProgressEntry)) == 1, 30
        )
        assert harness.bot_messages(FIRST) == [] and harness.bot_messages(SECOND) == []
        [queue] = harness.say(FIRST, "/pending")  # a direct answer, not an outbox row
        approve = next(data for text, data in buttons(queue) if text.endswith("任务5"))
        harness.press_for_answer(FIRST, queue, approve)
        held.release()
    harness.wait_drained()

    for principal in (FIRST, SECOND):
        [request] = [m for m in harness.bot_messages(principal) if m["text"].startswith("待审定 ")]
        assert request["text"].endswith("\n\n✅ 已审定通过") and "路基完成70%" in request["text"]
        assert not buttons(request)  # never arrived with live buttons
    assert asyncio.run(_edits(harness.db_url)) == 0  # nothing went before the decision


async def _edits(url: str) -> int:
    engine = make_engine(url)
    async with engine.connect() as connection:
        found = await connection.scalar(
            select(func.count()).where(OutboxMessage.kind == "approval-decided")
        )
    await engine.dispose()
    return int(found or 0)
