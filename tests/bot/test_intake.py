"""Whom the bot tells that an update could not be saved, and in which language."""

from __future__ import annotations

from typing import Any

import pytest

from bot.intake import _notice_target


def message(chat_type: str, text: str, language: str | None = None) -> dict[str, Any]:
    sender: dict[str, Any] = {"id": 7, "is_bot": False, "first_name": "王"}
    if language:
        sender["language_code"] = language
    chat_id = 7 if chat_type == "private" else -100
    return {
        "update_id": 1,
        "message": {
            "message_id": 3,
            "date": 0,
            "chat": {"id": chat_id, "type": chat_type},
            "from": sender,
            "text": text,
        },
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (message("private", "随便说点什么"), ("chat", 7, "zh")),
        (message("private", "/report 1 序时推进 x", "en-GB"), ("chat", 7, "en")),
        (message("supergroup", "/status"), ("chat", -100, "zh")),
        (message("group", "群里闲聊"), None),  # not addressed to the bot: no noise in groups
        (
            {
                "update_id": 2,
                "callback_query": {
                    "id": "q1",
                    "from": {"id": 7, "is_bot": False, "first_name": "王", "language_code": "en"},
                    "chat_instance": "c",
                    "data": "rs:1",
                },
            },
            ("alert", "q1", "en"),
        ),
        ({"update_id": 3, "poll": {"id": "p"}}, None),
    ],
)
def test_notice_target(raw: dict[str, Any], expected: tuple[str, Any, str] | None) -> None:
    assert _notice_target(raw, "zh") == expected
