"""``/_control`` routes: act as users and groups, read what the bot did, steer the double."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError
from .state import StoredMessage

if TYPE_CHECKING:
    from .server import TelegramDouble

Body = dict[str, Any]
Route = Callable[["TelegramDouble", Body, web.Request], Awaitable[Any] | Any]
ROUTES: list[tuple[str, str, Route]] = []
# A 1x1 JPEG, the default photo a user "sends".
TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8Q"
    "EBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k="
)


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def route(verb: str, path: str) -> Callable[[Route], Route]:
    def register(func: Route) -> Route:
        ROUTES.append((verb, "/_control" + path, func))
        return func

    return register


def add_control_routes(app: web.Application, double: TelegramDouble) -> None:
    for verb, path, func in ROUTES:
        app.router.add_route(verb, path, _wrap(double, func))


def _wrap(double: TelegramDouble, func: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        try:
            body: Body = dict(request.query)
            if request.body_exists:
                body.update(await request.json())
            result = func(double, body, request)
            if isinstance(result, Awaitable):
                result = await result
        except ApiError as exc:
            return web.json_response({"ok": False, "error": exc.description}, status=400)
        except ControlError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            return web.json_response({"ok": False, "error": error}, status=400)
        return web.json_response({"ok": True, "result": result})

    return handler


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True", "yes")


def message_view(double: TelegramDouble, msg: StoredMessage) -> dict[str, Any]:
    """A message as Telegram serialises it, plus what only the double knows."""
    data = double.state.message_api(msg)
    data["sent_by_bot"] = msg.from_id == double.state.bot.id
    data["parse_mode"] = msg.parse_mode
    data["keyboard"] = msg.keyboard
    data["edit_history"] = msg.history
    data["deleted"] = msg.deleted
    return data


def _messages(double: TelegramDouble, body: Body) -> list[dict[str, Any]]:
    chat_id = int(body["chat_id"])
    sender = body.get("sender", "bot")
    deleted = _flag(body.get("include_deleted", False))
    found = []
    for msg in double.state.messages.get(chat_id, {}).values():
        if (msg.deleted and not deleted) or (
            sender == "bot" and msg.from_id != double.state.bot.id
        ):
            continue
        if sender not in ("bot", "all") and msg.from_id != int(sender):
            continue
        found.append(message_view(double, msg))
    return found


# --- world -----------------------------------------------------------------------------------
@route("POST", "/users")
def create_user(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    keys = ("last_name", "username", "language_code", "started", "blocked", "deactivated")
    user = double.state.add_user(
        body.get("first_name", "User"),
        user_id=body.get("id"),
        **{k: body[k] for k in keys if k in body},
    )
    return user.to_api()


@route("POST", "/users/{user_id}")
def update_user(double: TelegramDouble, body: Body, request: web.Request) -> Any:
    """Set blocked / deactivated / started (e.g. ``{"blocked": true}``)."""
    user = double.state.user(int(request.match_info["user_id"]))
    for key in ("blocked", "deactivated", "started", "first_name", "username", "language_code"):
        if key in body:
            setattr(user, key, body[key])
    return {**user.to_api(), "blocked": user.blocked, "deactivated": user.deactivated}


@route("POST", "/groups")
def create_group(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    chat = double.state.add_group(
        body.get("title", "Group"),
        body.get("type", "group"),
        [int(m) for m in body.get("members", [])],
        chat_id=body.get("id"),
        username=body.get("username"),
        bot_status=body.get("bot_status", "member"),
    )
    chat.is_forum = bool(body.get("is_forum")) and chat.type == "supergroup"
    return {**chat.to_api(), "members": chat.members}


@route("POST", "/groups/{chat_id}/members")
def add_member(double: TelegramDouble, body: Body, request: web.Request) -> Any:
    chat = double.state.chat(int(request.match_info["chat_id"]))
    user = double.state.user(int(body["user_id"]))
    chat.members[user.id] = body.get("status", "member")
    return {**chat.to_api(), "members": chat.members}


@route("POST", "/groups/{chat_id}/bot")
def set_bot_status(double: TelegramDouble, body: Body, request: web.Request) -> Any:
    """The bot's own status in a group: member, administrator, left, kicked."""
    chat = double.state.chat(int(request.match_info["chat_id"]))
    chat.bot_status = body["status"]
    return chat.bot_status


@route("POST", "/migrate")
def migrate(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    new = double.state.migrate(double.state.chat(int(body["chat_id"])))
    return {"migrate_to_chat_id": new.id}


@route("GET", "/chats/{chat_id}")
def get_chat(double: TelegramDouble, body: Body, request: web.Request) -> Any:
    chat = double.state.chat(int(request.match_info["chat_id"]))
    return {**chat.to_api(), "members": chat.members, "migrated_to": chat.migrated_to}


# --- acting as users ----------------------------------------------------------------------
def _sender(double: TelegramDouble, body: Body) -> tuple[Any, Any]:
    user = double.state.user(int(body["user_id"]))
    chat_id = body.get("chat_id")
    chat = double.state.private_chat(user) if chat_id is None else double.state.chat(int(chat_id))
    if chat.migrated_to is not None:
        raise ControlError(f"chat {chat.id} was migrated to {chat.migrated_to}")
    return user, chat


def _reply(body: Body) -> int | None:
    value = body.get("reply_to_message_id")
    return None if value is None else int(value)


def _posted(double: TelegramDouble, msg: StoredMessage, update: Any) -> dict[str, Any]:
    return {"message": message_view(double, msg), "update_id": (update or {}).get("update_id")}


@route("POST", "/messages")
def send_text(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    user, chat = _sender(double, body)
    fields: dict[str, Any] = {"text": body["text"]}
    if "entities" in body:
        fields["entities"] = body["entities"]
    if body.get("message_thread_id") is not None:  # written inside a forum topic
        if not chat.is_forum:
            raise ControlError(f"chat {chat.id} has no topics")
        fields.update(message_thread_id=int(body["message_thread_id"]), is_topic_message=True)
    msg, update = double.state.user_message(user, chat, fields, _reply(body))
    return _posted(double, msg, update)


@route("POST", "/photos")
def send_photo(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    user, chat = _sender(double, body)
    data = base64.b64decode(body["data"]) if body.get("data") else TINY_JPEG
    stored = double.state.add_file(data, "photo", mime="image/jpeg")
    fields: dict[str, Any] = {"photo": double.state.photo_sizes(stored)}
    if body.get("caption"):
        fields["caption"] = body["caption"]
    msg, update = double.state.user_message(user, chat, fields, _reply(body))
    return _posted(double, msg, update)


@route("POST", "/documents")
def send_document(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    user, chat = _sender(double, body)
    name = body.get("file_name", "document.bin")
    mime = body.get("mime_type", "application/octet-stream")
    stored = double.state.add_file(base64.b64decode(body.get("data", "")), "document", name, mime)
    document = {k: v for k, v in stored.to_api().items() if k != "file_path"}
    document.update(file_name=name, mime_type=mime)
    fields: dict[str, Any] = {"document": document}
    if body.get("caption"):
        fields["caption"] = body["caption"]
    msg, update = double.state.user_message(user, chat, fields, _reply(body))
    return _posted(double, msg, update)


@route("POST", "/callbacks")
def press_button(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """Press an inline button by ``data`` (callback_data) or ``button_text``."""
    user = double.state.user(int(body["user_id"]))
    chat_id = int(body.get("chat_id", user.id))
    msg = double.state.find_message(chat_id, int(body["message_id"]))
    if msg is None:
        raise ControlError("message not found", 404)
    keyboard = (msg.fields.get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = [b for row in keyboard for b in row if "callback_data" in b]
    wanted_text, wanted_data = body.get("button_text"), body.get("data")
    button = next(
        (
            b
            for b in buttons
            if (wanted_data is None or b["callback_data"] == wanted_data)
            and (wanted_text is None or b["text"] == wanted_text)
        ),
        None,
    )
    if button is None:
        raise ControlError(f"no callback button matches {body!r}", 404)
    state = double.state
    query_id = str(4_000_000_000_000_000_000 + len(state.callback_queries) * 7919 + user.id)
    query = {
        "id": query_id,
        "from": user.to_api(),
        "message": state.message_api(msg),
        "chat_instance": str(abs(chat_id) * 31 + 17),
        "data": button["callback_data"],
    }
    state.callback_queries[query_id] = {"query": query, "answer": None, "at": time.time()}
    update = state.updates.add("callback_query", query)
    return {"callback_query_id": query_id, "update_id": (update or {}).get("update_id")}


@route("POST", "/updates")
def inject_update(double: TelegramDouble, body: Body, _: web.Request) -> Any:
    """Queue a raw Update (update_id assigned when missing)."""
    return double.state.updates.add_raw(body["update"])
