"""The bot-wide ceiling is kept on the stamps taken as requests leave (`sending.WireGate`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.pacing import Limits
from tests.scheduler.conftest import DispatcherMaker, enqueue_texts
from tests.telegram_double import TelegramDouble

USER = 100_001


def most_within(stamps: list[float], seconds: float) -> int:
    ordered = sorted(stamps)
    return max(sum(1 for t in ordered if s <= t < s + seconds) for s in ordered)


async def test_requests_wait_at_the_gate_for_the_ceiling(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    """The pace would let all five go at once; a ceiling of 2 per 3 s on leaving stamps sends
    them as 2 + 2 + 1, three seconds apart. The double's stamps are compared with a 2 s window,
    so a delay of up to a second between the gate and the double cannot blur the count."""
    chats = [tg.state.add_user(f"U{n}", user_id=USER + n).id for n in range(5)]
    await enqueue_texts(session_factory, chats)
    pacing = Limits(global_per_second=500, private_per_second=20, wire_limit=2, wire_margin=2.0)
    dispatcher = make_dispatcher(pacing=pacing)
    await dispatcher.start()
    assert await dispatcher.drain(60)
    await dispatcher.stop()
    stamps = [t for chat in chats for t in tg.stats.sends[chat]]
    assert len(stamps) == 5
    assert most_within(stamps, 2.0) == 2
    assert tg.stats.statuses[429] == 0
