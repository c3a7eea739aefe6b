"""The double's world: users, chats, messages, files, callback queries, commands."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import CHAT_NOT_FOUND, bad_request
from .html_check import utf16_len
from .updates import Notifier, UpdateQueue

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def now() -> int:
    return int(time.time())


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked: bool = False  # has blocked the bot
    deactivated: bool = False
    started: bool = True  # has started the bot (else the bot can't write first)

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    migrated_to: int | None = None
    bot_status: str = "member"
    next_message_id: int = 1
    is_forum: bool = False  # a supergroup with topics: messages may carry message_thread_id

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    from_id: int
    date: int
    fields: dict[str, Any]  # Telegram fields: text, entities, caption, photo, reply_markup, ...
    reply_to: int | None = None
    parse_mode: str | None = None
    keyboard: dict[str, Any] | None = None  # reply keyboard / remove / force_reply (not echoed)
    edit_date: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities the way Telegram marks ``/command`` and ``/command@bot``."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND.finditer(text)
    ]


class State:
    """Everything the double knows; mutated only on the server's event loop."""

    def __init__(self, bot: User) -> None:
        self.bot = bot
        self.users: dict[int, User] = {bot.id: bot}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # None: the default
        self.chat_actions: list[dict[str, Any]] = []
        self.changed = Notifier()
        self.updates = UpdateQueue(parent=self.changed)
        self._ids = {"user": 100_000_001, "group": 4_000_000_001, "super": 1_000_000_001}
        self._counter = 0

    def _next(self, kind: str) -> int:
        value = self._ids[kind]
        self._ids[kind] += 1
        return value

    # --- users and chats -------------------------------------------------------------
    def add_user(self, first_name: str = "User", user_id: int | None = None, **kw: Any) -> User:
        user = User(id=user_id or self._next("user"), first_name=first_name, **kw)
        self.users[user.id] = user
        return user

    def private_chat(self, user: User) -> Chat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(user.id, "private", None, user.username, user.first_name, user.last_name)
            self.chats[user.id] = chat
        return chat

    def add_group(
        self, title: str, kind: str = "group", members: list[int] | None = None, **kw: Any
    ) -> Chat:
        chat_id = kw.pop("chat_id", None)
        if chat_id is None:
            chat_id = -self._next("group") if kind == "group" else -(10**12 + self._next("super"))
        chat = Chat(chat_id, kind, title, **kw)
        for index, user_id in enumerate(members or []):
            self.user(user_id)
            chat.members[user_id] = "creator" if index == 0 else "member"
        self.chats[chat.id] = chat
        return chat

    def user(self, user_id: int) -> User:
        if user_id not in self.users:
            raise bad_request("user not found")
        return self.users[user_id]

    def chat(self, chat_id: int | str) -> Chat:
        """Resolve an int id or ``@username``; 400 "chat not found" otherwise."""
        if isinstance(chat_id, str):
            if not chat_id.strip():
                raise bad_request("chat_id is empty")
            if chat_id.startswith("@"):
                for chat in self.chats.values():
                    if chat.username and chat.username.lower() == chat_id[1:].lower():
                        return chat
                raise bad_request(CHAT_NOT_FOUND)
            try:
                chat_id = int(chat_id)
            except ValueError:
                raise bad_request(CHAT_NOT_FOUND) from None
        found = self.chats.get(chat_id)
        if found is None and chat_id in self.users and chat_id != self.bot.id:
            found = self.private_chat(self.users[chat_id])
        if found is None:
            raise bad_request(CHAT_NOT_FOUND)
        return found

    # --- messages ------------------------------------------------------------------------
    def add_message(
        self, chat: Chat, from_id: int, fields: dict[str, Any], **kw: Any
    ) -> StoredMessage:
        msg = StoredMessage(chat.id, chat.next_message_id, from_id, now(), fields, **kw)
        chat.next_message_id += 1
        self.messages.setdefault(chat.id, {})[msg.message_id] = msg
        self.changed.bump()
        return msg

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        msg = self.messages.get(chat_id, {}).get(message_id)
        return None if msg is None or msg.deleted else msg

    def message_api(self, msg: StoredMessage, nested: bool = True) -> dict[str, Any]:
        """Serialise as Telegram's Message object (only set fields)."""
        data: dict[str, Any] = {"message_id": msg.message_id}
        sender = self.users.get(msg.from_id)
        if sender is not None:
            data["from"] = sender.to_api()
        data["chat"] = self.chats[msg.chat_id].to_api()
        data["date"] = msg.date
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if nested and msg.reply_to is not None:
            target = self.messages.get(msg.chat_id, {}).get(msg.reply_to)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self.message_api(target, nested=False)
        data.update({k: v for k, v in msg.fields.items() if v not in (None, [], {})})
        return data

    def user_message(
        self, user: User, chat: Chat, fields: dict[str, Any], reply_to: int | None = None
    ) -> tuple[StoredMessage, dict[str, Any] | None]:
        """A message from a user, queued as a ``message`` update."""
        if reply_to is not None and self.find_message(chat.id, reply_to) is None:
            raise bad_request("message to be replied not found")
        if chat.type == "private":
            user.blocked, user.started = False, True
        elif user.id not in chat.members:
            chat.members[user.id] = "member"
        text = fields.get("text")
        if text and "entities" not in fields:
            fields["entities"] = command_entities(text)
        msg = self.add_message(chat, user.id, fields, reply_to=reply_to)
        return msg, self.updates.add("message", self.message_api(msg))

    # --- files ----------------------------------------------------------------------------
    def add_file(
        self, data: bytes, kind: str, file_name: str | None = None, mime: str | None = None
    ) -> StoredFile:
        self._counter += 1
        digest = hashlib.sha1(data).digest()[:9]
        prefix = {"photo": b"AgAC", "document": b"BQAC"}.get(kind, b"CAAC")
        raw = prefix + self._counter.to_bytes(4, "big") + digest + self.bot.id.to_bytes(8, "big")
        file_id = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        unique = "AQAD" + base64.urlsafe_b64encode(digest).decode().rstrip("=")
        suffix = (file_name or "").rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
        if kind == "photo":
            suffix = "jpg"
        path = f"{kind}s/file_{self._counter}.{suffix}"
        stored = StoredFile(file_id, unique, data, path, file_name, mime)
        self.files[file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)

    def photo_sizes(self, stored: StoredFile) -> list[dict[str, Any]]:
        base = {k: v for k, v in stored.to_api().items() if k != "file_path"}
        return [{**base, "width": 320, "height": 240}]

    # --- migration ------------------------------------------------------------------------
    def migrate(self, chat: Chat) -> Chat:
        """Upgrade a basic group to a supergroup; announce it as Telegram does."""
        if chat.type != "group":
            raise bad_request("chat is not a basic group")
        if chat.migrated_to is not None:
            return self.chats[chat.migrated_to]
        new = self.add_group(chat.title or "", "supergroup")
        new.members = dict(chat.members)
        chat.migrated_to = new.id
        actor = next(iter(chat.members), None)
        if actor is not None:
            old_msg = self.add_message(chat, actor, {"migrate_to_chat_id": new.id})
            self.updates.add("message", self.message_api(old_msg))
            new_msg = self.add_message(new, actor, {"migrate_from_chat_id": chat.id})
            self.updates.add("message", self.message_api(new_msg))
        return new
