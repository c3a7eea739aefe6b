"""/evidence [UNIT] N [YYYY-MM]: the photos and documents sent with a unit's reports, listed
(what, who, when) and sent back as media groups."""

from __future__ import annotations

from telegram import InputMediaDocument, InputMediaPhoto, Update

from bot.access import Caller, refuse
from bot.context import BotApplication, BotContext
from bot.handlers.history import may_see, period_of, register_task_command, reply
from bot.handlers.history_texts import attachment_line
from bot.i18n import Catalog
from ledger.queries import Query
from messages.render import esc
from services.history import Attachment, evidence_of, tasks_of_unit
from services.status import unit_names

COMMAND = "evidence"
GROUP = 10  # Telegram's most items in one media group

texts = Catalog(
    {
        "usage": {
            "zh": "用法：/evidence 单位 任务编号 [YYYY-MM]",
            "en": "Usage: /evidence UNIT N [YYYY-MM]",
        },
        "header": {
            "zh": "<b>{unit} 任务 {number}</b>（{plan}，{period}）附件 {n} 个：",
            "en": "<b>{unit} task {number}</b> ({plan}, {period}): {n} attachment(s):",
        },
        "none": {
            "zh": "{unit} 任务 {number}（{period}）没有附件。",
            "en": "{unit} sent no attachments for task {number} ({period}).",
        },
        "no_task": {"zh": "{period} 没有任务 {number}。", "en": "No task {number} in {period}."},
    }
)


async def send_files(context: BotContext, chat_id: int, items: list[Attachment]) -> None:
    """Photos together and documents together (Telegram does not mix them in one group)."""
    for kind in ("photo", "document"):
        files = [i for i in items if (i.kind == "photo") == (kind == "photo")]
        for start in range(0, len(files), GROUP):
            chunk = files[start : start + GROUP]
            if len(chunk) == 1 and kind == "photo":
                await context.bot.send_photo(chat_id, chunk[0].file_id, caption=chunk[0].caption)
            elif len(chunk) == 1:
                await context.bot.send_document(chat_id, chunk[0].file_id, caption=chunk[0].caption)
            elif kind == "photo":
                await context.bot.send_media_group(
                    chat_id, [InputMediaPhoto(i.file_id, caption=i.caption) for i in chunk]
                )
            else:
                await context.bot.send_media_group(
                    chat_id, [InputMediaDocument(i.file_id, caption=i.caption) for i in chunk]
                )


async def show(
    update: Update, context: BotContext, who: Caller, unit_id: int, query: Query
) -> None:
    if not may_see(who, unit_id):
        await refuse(update, who.lang)
        return
    assert query.task is not None
    period = await period_of(context, query)
    lang, number = who.lang, query.task.number
    async with context.runtime.session() as session:
        unit = esc((await unit_names(session, [unit_id]))[unit_id])
        tasks = await tasks_of_unit(session, unit_id, query.task, period)
        found = [
            (task, await evidence_of(session, unit_id=unit_id, task_id=task.task_id, period=period))
            for task in tasks
        ]
    if not found:
        await reply(update, texts("no_task", lang, period=period.key, number=number))
    for task, items in found:
        if not items:
            await reply(update, texts("none", lang, unit=unit, number=number, period=period.key))
            continue
        header = texts(
            "header", lang, unit=unit, number=number, plan=esc(task.plan_code),
            period=period.key, n=len(items),
        )  # fmt: skip
        tz = context.runtime.settings.tz
        await reply(update, "\n".join([header, *(attachment_line(i, lang, tz) for i in items)]))
        assert update.effective_chat is not None
        await send_files(context, update.effective_chat.id, items)


def register(application: BotApplication) -> None:
    register_task_command(application, COMMAND, show, lambda lang: texts("usage", lang))
