"""Photo payloads ({"photo_b64", "caption"}): the digest chart goes out through sendPhoto."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.vocab import OutboxState
from models.db import transaction
from services import outbox
from tests.scheduler.conftest import DispatcherMaker, now
from tests.telegram_double import TelegramDouble

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_photo_payload_is_sent_with_send_photo_after_the_text(
    tg: TelegramDouble,
    session_factory: async_sessionmaker[AsyncSession],
    make_dispatcher: DispatcherMaker,
) -> None:
    user = tg.state.add_user("群主", user_id=100_777).id
    text = {"text": "<b>每周台账简报</b>", "parse_mode": "HTML", "reply_markup": None}
    photo = {
        "photo_b64": base64.b64encode(PNG).decode(),
        "caption": "2023-03 台账报送情况",
        "parse_mode": "HTML",
    }
    async with transaction(session_factory) as session:
        for kind, payload in (("digest", text), ("digest-chart", photo)):
            await outbox.enqueue(
                session,
                kind=kind,
                period="2023-04-03",
                recipient=f"g{user}",
                chat_id=user,
                payload=payload,
                not_before=now() - timedelta(seconds=1),
            )
    dispatcher = make_dispatcher()
    await dispatcher.start()
    assert await dispatcher.drain(10)
    await dispatcher.stop()

    first, second = tg.state.messages[user].values()
    assert first.fields["text"] == "每周台账简报"
    assert second.fields["caption"] == "2023-03 台账报送情况"
    [size] = second.fields["photo"]
    assert tg.state.files[size["file_id"]].data == PNG
    async with session_factory() as session:
        rows = await outbox.list_rows(session)
    assert [(r.kind, r.state) for r in rows] == [
        ("digest", OutboxState.SENT),
        ("digest-chart", OutboxState.SENT),
    ]
    assert rows[1].sent_message_id == second.message_id
