"""The report flow's step rules (bot/handlers/reporting/steps.py) and the typed answer the
router stores in the same unit of work that read the flow (router._typed_answer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Chat, Message, User

from bot.handlers.reporting.router import _typed_answer
from bot.handlers.reporting.steps import FLOW, move_to, next_step
from models import ConversationState


@pytest.mark.parametrize(
    ("data", "step", "expected"),
    [
        ({}, "status", {"step": "status"}),
        ({"status": "on_track"}, "progress", {"status": "on_track", "step": "progress"}),
        # a reply to a prompt carried the progress: the question is passed over
        ({"progress": "完成70%"}, "progress", {"progress": "完成70%", "step": "confirm"}),
        # …unless the progress is being edited from the summary
        (
            {"progress": "完成70%", "editing": True},
            "progress",
            {"progress": "完成70%", "editing": True, "step": "progress"},
        ),
        ({"editing": True}, "confirm", {"step": "confirm"}),
    ],
)
def test_move_to(data: dict[str, Any], step: str, expected: dict[str, Any]) -> None:
    move_to(data, step)
    assert data == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, "status"),
        ({"step": "status"}, "progress"),
        ({"step": "progress"}, "problems"),
        ({"step": "problems"}, "next_steps"),
        ({"step": "next_steps"}, "confirm"),
        ({"step": "evidence"}, "confirm"),
        ({"step": "problems", "editing": True}, "confirm"),
    ],
)
def test_next_step(data: dict[str, Any], expected: str) -> None:
    assert next_step(data) == expected


def _message(text: str, message_id: int = 41) -> Message:
    chat = Chat(7001, Chat.PRIVATE)
    user = User(7001, "填报人", is_bot=False)
    return Message(message_id, datetime(2023, 4, 3, 2, tzinfo=UTC), chat, from_user=user, text=text)


def _state(flow: str, **data: Any) -> ConversationState:
    return ConversationState(telegram_user_id=7001, chat_id=7001, flow=flow, data=data)


def test_typed_answer_fills_the_step_and_moves_on() -> None:
    state = _state(FLOW, step="progress", number=5, status="on_track", answered={"40": "x"})
    data = _typed_answer(state, _message("  路基工程完成70%  "))
    assert data == {
        "step": "problems",
        "number": 5,
        "status": "on_track",
        "progress": "路基工程完成70%",
        "answered": {"40": "x", "41": "progress"},
    }
    assert state.data["step"] == "progress"  # the loaded row is changed only by storing


def test_typed_answer_while_editing_returns_to_the_summary() -> None:
    state = _state(FLOW, step="problems", problems="旧", editing=True)
    data = _typed_answer(state, _message("资金未到位", message_id=9))
    assert data == {"step": "confirm", "problems": "资金未到位", "answered": {"9": "problems"}}


@pytest.mark.parametrize(
    ("flow", "data", "text"),
    [
        ("approval", {"step": "progress"}, "理由"),  # another flow
        (FLOW, {"step": "status"}, "序时推进"),  # a button step: asked again
        (FLOW, {"step": "confirm"}, "问题：资金"),  # the summary's corrections
        (FLOW, {"step": "plan"}, "5"),  # waiting for a plan button
        (FLOW, {"step": "progress"}, "   "),  # nothing typed
    ],
)
def test_typed_answer_leaves_other_cases_to_the_router(
    flow: str, data: dict[str, Any], text: str
) -> None:
    assert _typed_answer(_state(flow, **data), _message(text)) is None
