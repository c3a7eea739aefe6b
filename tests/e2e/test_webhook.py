"""Webhook mode, end to end on both databases: Telegram (the double) delivers updates to the
path of LEDGERBOT_WEBHOOK_URL with the secret in X-Telegram-Bot-Api-Secret-Token; a POST
without the secret, or with a wrong one, is refused with 403 and nothing is handled."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.e2e.harness import Harness

pytestmark = pytest.mark.e2e

SECRET = "hook-secret-0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def forged_update(update_id: int, user: dict, text: str) -> dict:
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 9_999,
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


def test_webhook_receives_updates_and_refuses_a_post_without_the_secret(
    harness: Harness,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook-7f3a"
    harness.start(
        LEDGERBOT_WEBHOOK_URL=url,
        LEDGERBOT_WEBHOOK_LISTEN="127.0.0.1",
        LEDGERBOT_WEBHOOK_PORT=str(port),
        LEDGERBOT_WEBHOOK_SECRET=SECRET,
        LEDGERBOT_FAKE_NOW="2023-04-03T10:00:00+08:00",
    )
    assert harness.control.webhook()["url"] == url

    user = harness.control.create_user("李四")
    [welcome] = harness.say(user["id"], "/start")  # delivered by the double to the webhook
    assert "推进台账" in welcome["text"]
    deliveries = harness.control.webhook()["deliveries"]
    assert deliveries and {d["status"] for d in deliveries} == {200}

    with httpx.Client(timeout=10) as http:
        refused = [
            http.post(url, json=forged_update(900_000_001, user, "/help")),
            http.post(url, json=forged_update(900_000_002, user, "/help"),
                      headers={SECRET_HEADER: "wrong-secret"}),
        ]  # fmt: skip
    assert [r.status_code for r in refused] == [403, 403]

    # The next real update is answered; the refused ones never were (one chat's updates are
    # handled in order, so their answers would have come first).
    [cancelled] = harness.say(user["id"], "/cancel")
    answers = [m["text"] for m in harness.bot_messages(user["id"])]
    assert answers == [welcome["text"], cancelled["text"]]
