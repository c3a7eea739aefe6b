"""Method registry and the parameter checks Bot API methods share."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import BLOCKED, DEACTIVATED, bad_request, forbidden, migrated
from .html_check import HtmlError, parse_html
from .limits import FloodLimiter
from .state import Chat, State

if TYPE_CHECKING:
    from .webhook import WebhookManager

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
PARSE_MODES = {"html": "HTML", "markdown": "Markdown", "markdownv2": "MarkdownV2"}
INLINE_BUTTON_KINDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass
class Result:
    """A result with Telegram's optional top-level ``description`` (e.g. "Webhook was set")."""

    value: Any
    description: str | None = None


@dataclass
class Ctx:
    state: State
    limiter: FloodLimiter
    webhook: WebhookManager


Handler = Callable[[Ctx, "Params"], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def api(name: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method (names are case-insensitive, like Telegram's)."""

    def register(func: Handler) -> Handler:
        METHODS[name.lower()] = (name, func)
        return func

    return register


class Params:
    """Typed, Telegram-style access to a call's (already form-decoded) parameters."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, name: str, default: Any = None) -> Any:
        value = self.data.get(name, default)
        return default if value is None else value

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value) if isinstance(value, dict | list) else str(value)

    def integer(self, name: str, missing: str | None = None) -> int | None:
        value = self.data.get(name)
        if value in (None, ""):
            if missing:
                raise bad_request(missing)
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'invalid parameter "{name}" specified') from None

    def flag(self, name: str) -> bool:
        value = self.data.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "on")
        return bool(value)

    def obj(self, name: str) -> Any:
        value = self.data.get(name)
        if isinstance(value, str) and value.strip():
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return None if value == "" else value


def target_chat(ctx: Ctx, p: Params, sending: bool = True) -> Chat:
    """Resolve ``chat_id`` and apply Telegram's reachability rules."""
    raw = p.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    chat = ctx.state.chat(raw)
    if chat.migrated_to is not None:
        raise migrated(chat.migrated_to)
    if chat.type == "private":
        user = ctx.state.users[chat.id]
        if user.deactivated:
            raise forbidden(DEACTIVATED)
        if user.blocked:
            raise forbidden(BLOCKED)
        if sending and not user.started:
            raise forbidden("bot can't initiate conversation with a user")
    elif chat.bot_status in ("kicked", "left"):
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        raise forbidden(f"bot is not a member of the {kind} chat")
    return chat


def parse_mode(p: Params) -> str | None:
    raw = p.text("parse_mode")
    if not raw:
        return None
    mode = PARSE_MODES.get(raw.lower())
    if mode is None:
        raise bad_request(f"unsupported parse_mode {raw!r}")
    return mode


def formatted(
    p: Params, key: str, entities_key: str, *, required: bool
) -> tuple[str | None, list[dict[str, Any]] | None]:
    """Text (or caption) after entity parsing, with its entities; Telegram's errors."""
    text = p.text(key)
    is_caption = key == "caption"
    if text is None or not text.strip():
        if required:
            raise bad_request("message text is empty")
        return None, None
    mode = parse_mode(p)
    entities = p.obj(entities_key)
    if mode == "HTML":
        try:
            text, entities = parse_html(text)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    if not text.strip():
        if required:
            raise bad_request("text must be non-empty")
        return None, None
    if len(text) > (CAPTION_LIMIT if is_caption else TEXT_LIMIT):
        raise bad_request("message caption is too long" if is_caption else "message is too long")
    return text, entities or None


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        kinds = [k for k in INLINE_BUTTON_KINDS if k in button]
        if not kinds:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
                raise bad_request("BUTTON_URL_INVALID")
        if "web_app" in button:
            web_app = button["web_app"]
            url = web_app.get("url") if isinstance(web_app, dict) else None
            if not isinstance(url, str) or not url.startswith("https://"):
                raise bad_request("BUTTON_URL_INVALID")  # Mini Apps are HTTPS only


def reply_markup(p: Params) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return (inline markup, other keyboard) from ``reply_markup``."""
    markup = p.obj("reply_markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        return markup, None
    if any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def reply_target(ctx: Ctx, p: Params, chat: Chat) -> int | None:
    """message_id this send replies to (reply_parameters or legacy reply_to_message_id)."""
    params = p.obj("reply_parameters")
    if isinstance(params, dict):
        message_id, allow = (
            params.get("message_id"),
            bool(params.get("allow_sending_without_reply")),
        )
    else:
        message_id, allow = p.integer("reply_to_message_id"), p.flag("allow_sending_without_reply")
    if message_id is None:
        return None
    if ctx.state.find_message(chat.id, int(message_id)) is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)
