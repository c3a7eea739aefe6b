"""The control API calls shared by the sync and async clients."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")
Post = Callable[[Any], Any] | None


def _satisfied(result: dict[str, Any]) -> list[dict[str, Any]]:
    if not result["satisfied"]:
        raise TimeoutError(f"only {len(result['messages'])} message(s): {result['messages']}")
    return list(result["messages"])


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode()


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


class _Calls(Generic[R]):
    """Control API calls; ``_do`` performs one (sync or async)."""

    def _do(
        self, verb: str, path: str, body: Any = None, http_timeout: float = 30.0, post: Post = None
    ) -> R:
        raise NotImplementedError

    # world
    def create_user(
        self,
        first_name: str = "User",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
        user_id: int | None = None,
        started: bool = True,
    ) -> R:
        """Create a user; their private chat id equals the user id."""
        body = {
            "first_name": first_name,
            "username": username,
            "last_name": last_name,
            "language_code": language_code,
            "id": user_id,
            "started": started,
        }
        return self._do("POST", "/users", _clean(body))

    def update_user(self, user_id: int, **fields: Any) -> R:
        """Set ``blocked``, ``deactivated``, ``started``, ``first_name``, ``username``..."""
        return self._do("POST", f"/users/{user_id}", fields)

    def block(self, user_id: int, blocked: bool = True) -> R:
        """Mark the user as having blocked (or unblocked) the bot."""
        return self.update_user(user_id, blocked=blocked)

    def deactivate(self, user_id: int, deactivated: bool = True) -> R:
        return self.update_user(user_id, deactivated=deactivated)

    def create_group(
        self,
        title: str = "Group",
        members: list[int] | tuple[int, ...] = (),
        *,
        kind: str = "group",
        chat_id: int | None = None,
        username: str | None = None,
        bot_status: str = "member",
        is_forum: bool = False,
    ) -> R:
        """Create a group/supergroup (with topics when `is_forum`); the first member is its
        creator."""
        body = {
            "is_forum": is_forum,
            "title": title,
            "members": list(members),
            "type": kind,
            "id": chat_id,
            "username": username,
            "bot_status": bot_status,
        }
        return self._do("POST", "/groups", _clean(body))

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> R:
        return self._do(
            "POST", f"/groups/{chat_id}/members", {"user_id": user_id, "status": status}
        )

    def set_bot_status(self, chat_id: int, status: str) -> R:
        """The bot's status in a group: member, administrator, left, kicked."""
        return self._do("POST", f"/groups/{chat_id}/bot", {"status": status})

    def migrate(self, chat_id: int) -> R:
        """Upgrade a group to a supergroup; returns the new chat id."""
        return self._do(
            "POST", "/migrate", {"chat_id": chat_id}, post=lambda r: r["migrate_to_chat_id"]
        )

    def get_chat(self, chat_id: int) -> R:
        return self._do("GET", f"/chats/{chat_id}")

    # acting as users
    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        message_thread_id: int | None = None,
    ) -> R:
        """A user writes ``text`` (private chat unless ``chat_id``; inside a forum topic with
        ``message_thread_id``); -> {message, update_id}."""
        body = {
            "message_thread_id": message_thread_id,
            "user_id": user_id,
            "text": text,
            "chat_id": chat_id,
            "reply_to_message_id": reply_to_message_id,
            "entities": entities,
        }
        return self._do("POST", "/messages", _clean(body))

    def send_photo(
        self,
        user_id: int,
        data: bytes | None = None,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> R:
        body = {
            "user_id": user_id,
            "data": _b64(data),
            "chat_id": chat_id,
            "caption": caption,
            "reply_to_message_id": reply_to_message_id,
        }
        return self._do("POST", "/photos", _clean(body))

    def send_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str = "document.bin",
        *,
        mime_type: str = "application/octet-stream",
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> R:
        body = {
            "user_id": user_id,
            "data": _b64(data),
            "file_name": file_name,
            "mime_type": mime_type,
            "chat_id": chat_id,
            "caption": caption,
            "reply_to_message_id": reply_to_message_id,
        }
        return self._do("POST", "/documents", _clean(body))

    def press_button(
        self,
        user_id: int,
        message_id: int,
        *,
        chat_id: int | None = None,
        data: str | None = None,
        button_text: str | None = None,
    ) -> R:
        """Press an inline button -> {callback_query_id, update_id}."""
        body = {
            "user_id": user_id,
            "message_id": message_id,
            "chat_id": chat_id,
            "data": data,
            "button_text": button_text,
        }
        return self._do("POST", "/callbacks", _clean(body))

    def inject_update(self, update: dict[str, Any]) -> R:
        return self._do("POST", "/updates", {"update": update})

    # reading
    def messages(
        self, chat_id: int, *, sender: str | int = "bot", include_deleted: bool = False
    ) -> R:
        """Messages in a chat: sender "bot" (default), "all" or a user id."""
        query = f"?sender={sender}&include_deleted={str(include_deleted).lower()}"
        return self._do("GET", f"/chats/{chat_id}/messages{query}")

    def wait_for_messages(
        self, chat_id: int, count: int = 1, *, timeout: float = 5.0, sender: str | int = "bot"
    ) -> R:
        """Long-poll until the chat holds ``count`` messages; raises TimeoutError."""
        body = {"chat_id": chat_id, "count": count, "timeout": timeout, "sender": sender}
        return self._do("POST", "/wait", body, timeout + 10, post=_satisfied)

    def version(self) -> R:
        return self._do("GET", "/version")

    def changes(self, since: int, timeout: float = 10.0) -> R:
        """Wait until the state version exceeds ``since``; return the new version."""
        return self._do("POST", "/changes", {"since": since, "timeout": timeout}, timeout + 10)

    def callback_answers(self) -> R:
        return self._do("GET", "/callback_answers")

    def commands(self) -> R:
        return self._do("GET", "/commands")

    def chat_actions(self) -> R:
        return self._do("GET", "/chat_actions")

    def stats(self) -> R:
        return self._do("GET", "/stats")

    def reset(self) -> R:
        return self._do("POST", "/reset", {})

    def validation_failures(self) -> R:
        return self._do("GET", "/validation_failures")

    def clear_validation_failures(self) -> R:
        return self._do("DELETE", "/validation_failures")

    def rejections(self) -> R:
        """Every 4xx the double answered."""
        return self._do("GET", "/rejections")

    def expect_error(self, method: str, description: str, times: int | None = None) -> R:
        """Declare a 4xx the test provokes on purpose (see `rejections.Rejections`)."""
        body = {"method": method, "description": description, "times": times}
        return self._do("POST", "/expected_errors", _clean(body))

    def problems(self) -> R:
        """Undeclared 4xx answers, declared errors never seen, requests aiogram rejects."""
        return self._do("GET", "/problems")

    def add_fault(
        self,
        method: str = "*",
        kind: str = "500",
        *,
        count: int | None = 1,
        probability: float | None = None,
        seed: int | None = None,
        chat_id: int | str | None = None,
        retry_after: int = 5,
        hold: float = 10.0,
    ) -> R:
        """Kinds: 429 500 502 timeout_before timeout_after blocked deactivated migrate."""
        body = {
            "method": method,
            "kind": kind,
            "count": count,
            "probability": probability,
            "seed": seed,
            "chat_id": chat_id,
            "retry_after": retry_after,
            "hold": hold,
        }
        return self._do("POST", "/faults", body)

    def faults(self) -> R:
        return self._do("GET", "/faults")

    def clear_faults(self) -> R:
        return self._do("DELETE", "/faults")

    def configure_flood(self, **settings: Any) -> R:
        """enabled, global_per_second, private_per_second, private_burst, group_per_minute..."""
        return self._do("POST", "/flood", settings)

    def flood(self) -> R:
        return self._do("GET", "/flood")

    def webhook(self) -> R:
        return self._do("GET", "/webhook")

    def pending_updates(self) -> R:
        return self._do("GET", "/updates")
