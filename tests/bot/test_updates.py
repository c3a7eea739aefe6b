"""Updates of different chats run concurrently; one chat's updates keep their order."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.updates import PerChatUpdateProcessor, chat_key


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "u", is_bot=False)
    chat = Chat(chat_id, "private")
    return Update(update_id, message=Message(update_id, None, chat, from_user=user))  # type: ignore[arg-type]


async def test_one_chat_in_order_many_chats_at_once() -> None:
    processor = PerChatUpdateProcessor(16)
    log: list[tuple[str, int, int]] = []
    running = 0
    peak = 0

    async def handle(update: Update, delay: float) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        log.append(("start", chat_key(update) or 0, update.update_id))
        await asyncio.sleep(delay)
        log.append(("end", chat_key(update) or 0, update.update_id))
        running -= 1

    updates = [(_update(1, 10), 0.05), (_update(2, 10), 0.0), (_update(3, 20), 0.0)]
    async with processor:
        await asyncio.gather(*(processor.process_update(u, handle(u, d)) for u, d in updates))
    chat10 = [(what, uid) for what, chat, uid in log if chat == 10]
    assert chat10 == [("start", 1), ("end", 1), ("start", 2), ("end", 2)]
    assert log.index(("start", 20, 3)) < log.index(("end", 10, 1))  # chat 20 did not wait
    assert peak == 2
    assert processor._locks == {} and processor._waiting == {}  # idle chats are forgotten


def test_chat_key() -> None:
    assert chat_key(_update(1, 42)) == 42
    assert chat_key("not an update") is None
