"""``/_control`` routes that read what happened, wait for it, and configure the double."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .control import Body, ControlError, _messages, route

if TYPE_CHECKING:
    from .server import TelegramDouble


@route("GET", "/chats/{chat_id}/messages")
def list_messages(double: TelegramDouble, body: Body, request: web.Request) -> Any:
    """Messages in a chat; ``sender`` = bot (default) | all | <user id>."""
    return _messages(double, {**body, "chat_id": request.match_info["chat_id"]})


@route("POST", "/wait")
async def wait_messages(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """Long-poll until ``count`` messages (default from the bot) are in ``chat_id``."""
    count, timeout = int(body.get("count", 1)), float(body.get("timeout", 5.0))
    deadline = time.monotonic() + timeout
    changed = double.state.changed
    while True:
        version = changed.version
        found = _messages(double, body)
        remaining = deadline - time.monotonic()
        if len(found) >= count or remaining <= 0 or changed.closed:
            return {"satisfied": len(found) >= count, "messages": found}
        await changed.wait(version, remaining)


@route("GET", "/version")
def version(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return double.state.changed.version


@route("POST", "/changes")
async def changes(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """Wait until the state version exceeds ``since`` (or ``timeout``); return the version."""
    since, timeout = int(body["since"]), float(body.get("timeout", 10.0))
    return await double.state.changed.wait(since, timeout)


@route("GET", "/callback_answers")
def callback_answers(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return [
        {
            "callback_query_id": query_id,
            "data": record["query"].get("data"),
            "user_id": record["query"]["from"]["id"],
            "message_id": record["query"]["message"]["message_id"],
            "chat_id": record["query"]["message"]["chat"]["id"],
            "answer": record["answer"],
        }
        for query_id, record in double.state.callback_queries.items()
    ]


@route("GET", "/commands")
def commands(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return [
        {"scope": json.loads(scope), "language_code": language, "commands": items}
        for (scope, language), items in double.state.commands.items()
    ]


@route("GET", "/chat_actions")
def chat_actions(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return double.state.chat_actions


@route("GET", "/stats")
def stats(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return double.stats.as_dict()


@route("POST", "/reset")
async def reset(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    await double.reset()
    return True


@route("GET", "/validation_failures")
def validation_failures(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return double.validation_failures


@route("DELETE", "/validation_failures")
def clear_validation_failures(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    double.validation_failures.clear()
    return True


@route("GET", "/rejections")
def rejections(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """Every 4xx the double answered (``injected``: by a fault rule the test added)."""
    return [r.as_dict() for r in double.rejections.seen]


@route("POST", "/expected_errors")
def expect_error(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """Declare a 4xx the test provokes on purpose: ``{"method": ..., "description": ...}``."""
    times = body.get("times")
    expected = double.expect_error(
        str(body["method"]), str(body["description"]), None if times is None else int(times)
    )
    return {"method": expected.method, "description": expected.description, "times": times}


@route("GET", "/problems")
def problems(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """What fails a test: undeclared 4xx, declared errors never seen, invalid requests."""
    return double.problems()


@route("POST", "/faults")
def add_fault(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """Add a fault rule (see :class:`faults.FaultRule` for the fields)."""
    allowed = ("method", "kind", "count", "probability", "seed", "chat_id", "retry_after", "hold")
    unknown = set(body) - set(allowed)
    if unknown:
        raise ControlError(f"unknown fault fields {sorted(unknown)}")
    return double.faults.add(**body).as_dict()


@route("GET", "/faults")
def list_faults(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return {
        "rules": [r.as_dict() for r in double.faults.rules],
        "log": double.faults.log,
        "applied_unanswered": double.faults.applied_unanswered(),
    }


@route("DELETE", "/faults")
def clear_faults(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    double.faults.clear()
    return True


@route("POST", "/flood")
def configure_flood(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """Toggle and tune flood limits, e.g. ``{"enabled": true, "group_per_minute": 3}``."""
    return double.limiter.configure(**body).as_dict()


@route("GET", "/flood")
def flood(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return double.limiter.config.as_dict()


@route("GET", "/webhook")
def webhook(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return {**double.webhook.info(), "deliveries": double.webhook.deliveries}


@route("GET", "/updates")
def pending_updates(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    return double.state.updates.pending
