"""Bot-level methods: identity, updates, webhook, chat info, commands, close/logOut."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .methods import Ctx, Params, Result, api
from .state import User

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


@api("getMe")
async def get_me(ctx: Ctx, p: Params) -> Any:
    return {
        **ctx.state.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api("getUpdates")
async def get_updates(ctx: Ctx, p: Params) -> Any:
    allowed = p.obj("allowed_updates")
    return await ctx.state.updates.get_updates(
        offset=p.integer("offset") or 0,
        limit=p.integer("limit") or 100,
        poll_seconds=float(p.get("timeout", 0) or 0),
        allowed=allowed if isinstance(allowed, list) else None,
    )


@api("setWebhook")
async def set_webhook(ctx: Ctx, p: Params) -> Any:
    url = p.text("url") or ""
    if p.flag("drop_pending_updates"):
        ctx.state.updates.drop_all()
    allowed = p.obj("allowed_updates")
    if isinstance(allowed, list):
        ctx.state.updates.allowed = allowed
    if not url:
        was_set = await ctx.webhook.delete()
        return Result(True, "Webhook was deleted" if was_set else "Webhook is already deleted")
    changed = ctx.webhook.set(url, p.text("secret_token"), p.integer("max_connections"))
    return Result(True, "Webhook was set" if changed else "Webhook is already set")


@api("deleteWebhook")
async def delete_webhook(ctx: Ctx, p: Params) -> Any:
    if p.flag("drop_pending_updates"):
        ctx.state.updates.drop_all()
    was_set = await ctx.webhook.delete()
    return Result(True, "Webhook was deleted" if was_set else "Webhook is already deleted")


@api("getWebhookInfo")
async def get_webhook_info(ctx: Ctx, p: Params) -> Any:
    return ctx.webhook.info()


@api("getChat")
async def get_chat(ctx: Ctx, p: Params) -> Any:
    if p.get("chat_id") in (None, ""):
        raise bad_request("chat_id is empty")
    chat = ctx.state.chat(p.get("chat_id"))
    info = {
        **chat.to_api(),
        "accent_color_id": chat.id % 7 if chat.id > 0 else 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    if chat.type == "private":
        info.pop("title", None)
    return info


def member_api(user: User, status: str) -> dict[str, Any]:
    """ChatMember in the shape of its status (owner, administrator, member, left, kicked)."""
    data: dict[str, Any] = {"user": user.to_api(), "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(can_be_edited=False, is_anonymous=False)
        data.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "kicked":
        data["until_date"] = 0
    return data


@api("getChatMember")
async def get_chat_member(ctx: Ctx, p: Params) -> Any:
    if p.get("chat_id") in (None, ""):
        raise bad_request("chat_id is empty")
    chat = ctx.state.chat(p.get("chat_id"))
    user_id = p.integer("user_id", missing="user_id is empty")
    assert user_id is not None
    user = ctx.state.user(user_id)
    if user.id == ctx.state.bot.id:
        status = chat.bot_status
    elif chat.type == "private":
        status = "member" if user.id == chat.id else "left"
    else:
        status = chat.members.get(user.id, "left")
    return member_api(user, status)


def _scope_key(ctx: Ctx, p: Params) -> str:
    scope = p.obj("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    canonical: dict[str, Any] = {"type": scope["type"]}
    for key in _SCOPES[scope["type"]]:
        if scope.get(key) in (None, ""):
            raise bad_request(f"{key} is empty")
        canonical[key] = ctx.state.chat(scope[key]).id if key == "chat_id" else int(scope[key])
    return json.dumps(canonical, sort_keys=True)


def _language(p: Params) -> str:
    code = p.text("language_code") or ""
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise bad_request("invalid language code specified")
    return code


@api("setMyCommands")
async def set_my_commands(ctx: Ctx, p: Params) -> Any:
    commands = p.obj("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    cleaned = []
    for item in commands:
        if not isinstance(item, dict) or not _COMMAND.match(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(item.get("description", "")).strip()
        if not 1 <= len(description) <= 256:
            raise bad_request(
                "command description is empty"
                if not description
                else "command description is too long"
            )
        cleaned.append({"command": item["command"], "description": description})
    key = (_scope_key(ctx, p), _language(p))
    if cleaned:
        ctx.state.commands[key] = cleaned
    else:
        ctx.state.commands.pop(key, None)
    ctx.state.changed.bump()
    return True


@api("getMyCommands")
async def get_my_commands(ctx: Ctx, p: Params) -> Any:
    return ctx.state.commands.get((_scope_key(ctx, p), _language(p)), [])


@api("deleteMyCommands")
async def delete_my_commands(ctx: Ctx, p: Params) -> Any:
    ctx.state.commands.pop((_scope_key(ctx, p), _language(p)), None)
    ctx.state.changed.bump()
    return True


@api("setChatMenuButton")
async def set_chat_menu_button(ctx: Ctx, p: Params) -> Any:
    chat_id = p.integer("chat_id")
    button = p.obj("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    if button["type"] == "web_app":
        url = (button.get("web_app") or {}).get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise bad_request("BUTTON_URL_INVALID")
        if not 1 <= len(str(button.get("text", ""))) <= 64:
            raise bad_request("BUTTON_TEXT_INVALID")
    ctx.state.menu_buttons[chat_id] = button
    ctx.state.changed.bump()
    return True


@api("getChatMenuButton")
async def get_chat_menu_button(ctx: Ctx, p: Params) -> Any:
    buttons = ctx.state.menu_buttons
    return buttons.get(p.integer("chat_id"), buttons.get(None, {"type": "commands"}))


@api("close")
async def close(ctx: Ctx, p: Params) -> Any:
    return True


@api("logOut")
async def log_out(ctx: Ctx, p: Params) -> Any:
    return True
