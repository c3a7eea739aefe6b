"""/audit [UNIT|N] for admins: the audit log's latest entries (who, when, from which chat)."""

from __future__ import annotations

import json

from telegram import Update
from telegram.ext import CommandHandler

from bot.access import Caller, admin, guarded
from bot.context import BotApplication, BotContext
from bot.handlers import unit_choice
from bot.handlers.history_texts import when
from bot.i18n import Catalog
from ledger.plans import parse_task_ref
from messages.render import shorten, split_message
from services.audit_reader import AuditEntry, latest
from services.status import unit_names

COMMAND = "audit"

texts = Catalog(
    {
        "header": {
            "zh": "审计日志（最近 {n} 条{what}）：",
            "en": "Audit log (latest {n}{what}):",
        },
        "of_unit": {"zh": "，{unit}", "en": ", {unit}"},
        "of_task": {"zh": "，任务 {number}", "en": ", task {number}"},
        "empty": {"zh": "审计日志中没有相关记录。", "en": "Nothing in the audit log."},
        "who": {"zh": "{name}（{id}）", "en": "{name} ({id})"},
        "chat": {"zh": " · 会话 {chat}", "en": " · chat {chat}"},
    }
)


def entry_lines(entry: AuditEntry, context: BotContext, lang: str) -> list[str]:
    tz = context.runtime.settings.tz
    who = entry.via
    if entry.actor_id is not None:
        who = texts("who", lang, name=entry.actor or entry.via, id=entry.actor_id)
    chat = texts("chat", lang, chat=entry.chat_id) if entry.chat_id is not None else ""
    head = f"{when(entry.at, tz)} · {entry.action} · {entry.target or '—'} · {who}{chat}"
    details = {k: v for k, v in entry.details.items() if v not in (None, [], {})}
    if not details:
        return [head]
    return [head, "  " + shorten(json.dumps(details, ensure_ascii=False), 120)]


async def show(
    update: Update, context: BotContext, who: Caller, unit: str | None, number: int | None
) -> None:
    async with context.runtime.session() as session:
        entries = await latest(session, unit=unit, task_number=number)
    if not entries:
        await _reply(update, texts("empty", who.lang))
        return
    what = ""
    if unit is not None:
        what = texts("of_unit", who.lang, unit=unit)
    elif number is not None:
        what = texts("of_task", who.lang, number=number)
    lines = [texts("header", who.lang, n=len(entries), what=what)]
    for entry in entries:
        lines += entry_lines(entry, context, who.lang)
    await _reply(update, "\n".join(lines))


async def _reply(update: Update, text: str) -> None:
    assert update.effective_message is not None
    for part in split_message(text):
        await update.effective_message.reply_text(part)


@guarded(admin, private=True)
async def audit_command(update: Update, context: BotContext, who: Caller) -> None:
    argument = " ".join(context.args or []).strip()
    ref = parse_task_ref(argument) if argument else None
    if not argument or ref is not None:
        await show(update, context, who, None, ref.number if ref else None)
        return
    unit_id = await unit_choice.resolve(update, context, who, argument, COMMAND, [])
    if unit_id is not None:
        await _again(update, context, who, unit_id, [])


async def _again(
    update: Update, context: BotContext, who: Caller, unit_id: int, _rest: list[str]
) -> None:
    async with context.runtime.session() as session:
        name = (await unit_names(session, [unit_id]))[unit_id]
    await show(update, context, who, name, None)


def register(application: BotApplication) -> None:
    unit_choice.on_choice(COMMAND, lambda identity: identity.is_admin, _again)
    application.add_handler(CommandHandler(COMMAND, audit_command))
