"""/start (with an invite code: binding), /help for each role, /lang."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.access import Caller, ask_private, guarded, refuse
from bot.context import BotApplication, BotContext
from bot.handlers import duban_bound
from bot.i18n import SUPPORTED, Catalog
from messages.render import esc
from services.audit import Actor
from services.binding import redeem_invite
from services.identity import set_language

texts = Catalog(
    {
        "welcome": {
            "zh": (
                "您好！我是<b>推进台账</b>机器人，负责每月收集各责任单位的工作进展。\n"
                "如您是责任单位的填报人，请使用工作局发给您的绑定链接。\n"
                "发送 /help 查看可用命令。"
            ),
            "en": (
                "Hello! I am the <b>progress ledger</b> bot: I collect each responsible "
                "unit's monthly progress.\nIf you report for a unit, open the binding link "
                "the bureau sent you.\nSend /help for the commands."
            ),
        },
        "bound_contact": {
            "zh": "绑定成功：您已成为<b>{unit}</b>的填报人。每月提示到达后，点击任务即可填报。",
            "en": "Done: you now report for <b>{unit}</b>. When the monthly prompt arrives, "
            "tap a task to report.",
        },
        "bound_principal": {
            "zh": "绑定成功：您已成为<b>{unit}</b>的主要负责同志，本单位提交的台账将发给您审定。",
            "en": "Done: you are now the principal of <b>{unit}</b>; its submitted ledger "
            "will come to you for approval.",
        },
        "already_bound": {
            "zh": "您已绑定<b>{unit}</b>，无需重复绑定。",
            "en": "You are already bound to <b>{unit}</b>.",
        },
        "invite_unknown": {
            "zh": "绑定码无效，请核对链接或联系工作局重新获取。",
            "en": "This binding code is not valid. Check the link or ask the bureau for a new one.",
        },
        "invite_used": {
            "zh": "该绑定码已被使用，请联系工作局重新获取。",
            "en": "This binding code has already been used. Ask the bureau for a new one.",
        },
        "invite_expired": {
            "zh": "该绑定码已过期，请联系工作局重新获取。",
            "en": "This binding code has expired. Ask the bureau for a new one.",
        },
        "invite_revoked": {
            "zh": "该绑定码已被撤销，请联系工作局。",
            "en": "This binding code was revoked. Please contact the bureau.",
        },
        "invite_locked": {
            "zh": "尝试次数过多，请十分钟后再试。",
            "en": "Too many attempts. Please try again in ten minutes.",
        },
        "help_unknown": {
            "zh": "/start — 开始\n/help — 帮助\n/lang en — English\n\n"
            "如您是责任单位的填报人，请使用工作局发给您的绑定链接。",
            "en": "/start — start\n/help — help\n/lang zh — 中文\n\n"
            "If you report for a unit, open the binding link the bureau sent you.",
        },
        "help_contact": {
            "zh": "<b>填报人命令</b>\n/tasks — 本单位的任务\n/report 任务号 状态 内容 — 快速填报，"
            "状态为 已完成、序时推进、滞后、未启动\n/status — 本单位本期填报情况\n"
            "/export 2023-05 — 导出本单位台账\n/history 任务号 — 该任务本期的版本记录\n"
            "/milestones — 本单位的季度节点目标\n/cancel — 取消正在进行的填报\n"
            "/lang en — English\n\n"
            "每月提示到达后，点击任务按钮按步骤填报；也可直接回复提示消息。",
            "en": "<b>Reporting</b>\n/tasks — your unit's tasks\n/report N status text — "
            "quick report; status is done, on_track, behind or not_started\n"
            "/status — your unit this period\n/export 2023-05 — your unit's ledger sheet\n"
            "/history N — that task's versions this period\n/milestones — your quarter targets\n"
            "/cancel — abandon a report in progress\n"
            "/lang zh — 中文\n\nWhen the monthly prompt arrives, tap a task and follow the "
            "steps, or simply reply to the prompt.",
        },
        "help_principal": {
            "zh": "<b>主要负责同志</b>\n本单位提交的台账会发给您，"
            "点击【审定通过】或【退回修改】。\n/status — 本单位本期填报情况\n"
            "/tasks — 本单位的任务\n"
            "/history 任务号 — 版本记录与审定情况\n/evidence 任务号 — 查看附件\n"
            "/milestones — 季度节点目标",
            "en": "<b>Principal</b>\nYour unit's submitted entries come to you: tap Approve or "
            "Return.\n/status — your unit this period\n/tasks — your unit's tasks\n"
            "/history N — versions and reviews\n/evidence N — the attachments\n"
            "/milestones — quarter targets",
        },
        "help_staff": {
            "zh": "<b>工作局</b>\n/status — 本期总体情况\n/status 单位 — 某单位\n"
            "/status 任务号 — 某任务\n/status 2023-02 — 往期（也可加单位或任务号）\n"
            "/overdue [2023-02] — 逾期未报单位\n/history 单位 任务号 — 版本记录\n"
            "/evidence 单位 任务号 [2023-02] — 附件\n/milestones [2023Q1] — 季度节点目标\n"
            "/digest — 简报预览\n"
            "/export 2023-05 — 导出推进台账\n/bulletin 2023Q2 — 季度通报\n/lang en — English",
            "en": "<b>Bureau</b>\n/status — this period overall\n/status UNIT — one unit\n"
            "/status N — one task\n/status 2023-02 — a past period (with UNIT or N too)\n"
            "/overdue [2023-02] — units overdue\n/history UNIT N — versions\n"
            "/evidence UNIT N [2023-02] — attachments\n/milestones [2023Q1] — quarter targets\n"
            "/digest — digest preview\n"
            "/export 2023-05 — the ledger workbook\n/bulletin 2023Q2 — quarterly bulletin\n"
            "/lang zh — 中文",
        },
        "help_admin": {
            "zh": "<b>管理员</b>\n/invite 单位 [principal] — 生成绑定链接\n"
            "/subscribe — 在群组（或话题）中订阅每周简报\n/unsubscribe — 取消订阅\n"
            "/units — 单位及绑定情况\n/pause 单位、/resume 单位 — 暂停、恢复填报\n"
            "/staff add|remove 用户ID — 工作人员\n/alias 单位 别名\n/group 集体 成员…\n"
            "/audit [单位|任务号] — 审计日志\n发送计划文件（.docx .xlsx .csv .txt）— 试导入后导入",
            "en": "<b>Admin</b>\n/invite UNIT [principal] — make a binding link\n"
            "/subscribe — in a group (or topic): weekly digest\n/unsubscribe — stop it\n"
            "/units — units and who is bound\n/pause UNIT, /resume UNIT\n"
            "/staff add|remove ID\n/alias UNIT ALIAS\n/group COLLECTIVE MEMBER…\n"
            "/audit [UNIT|N] — the audit log\nSend a plan document (.docx .xlsx .csv .txt) "
            "— dry run, then import",
        },
        "unknown_command": {
            "zh": "没有这个命令，请发送 /help 查看可用命令。",
            "en": "Unknown command. Send /help for the list.",
        },
        "lang_set": {"zh": "已切换为中文。", "en": "Language set to English."},
        "lang_usage": {"zh": "用法：/lang zh 或 /lang en", "en": "Usage: /lang zh or /lang en"},
    }
)


@guarded(private=True)
async def start(update: Update, context: BotContext, who: Caller) -> None:
    assert update.effective_message is not None
    if context.args:
        if not who.private:
            await ask_private(update, context, who.lang)
            return
        await _bind(update, context, who, context.args[0])
        return
    await update.effective_message.reply_text(texts("welcome", who.lang), parse_mode=ParseMode.HTML)


async def _bind(update: Update, context: BotContext, who: Caller, code: str) -> None:
    assert update.effective_user and update.effective_message
    runtime = context.runtime
    async with runtime.session() as session:
        result = await redeem_invite(
            session,
            code=code[:64],
            user_id=update.effective_user.id,
            display_name=update.effective_user.full_name,
            now=runtime.clock.now(),
            actor=Actor.telegram(update.effective_user.id, who.chat_id),
        )
        answer = ""
        if result.problem is None:
            key = "already_bound" if result.already_bound else f"bound_{result.role}"
            answer = texts(key, who.lang, unit=esc(result.unit or ""))
        if result.contact_id is not None:  # the answer, the open ledger's prompt, the 交办
            actor = Actor.telegram(update.effective_user.id, who.chat_id)
            await duban_bound.queue_after_bind(
                session, runtime, result.contact_id, actor, (who.chat_id, answer)
            )
    if result.problem is not None:
        await update.effective_message.reply_text(texts(f"invite_{result.problem}", who.lang))
    elif result.contact_id is not None:
        runtime.wake_dispatcher()
    else:
        await update.effective_message.reply_text(answer, parse_mode=ParseMode.HTML)


@guarded()
async def help_command(update: Update, context: BotContext, who: Caller) -> None:
    assert update.effective_message is not None
    identity = who.identity
    parts = []
    if identity.is_contact:
        parts.append(texts("help_contact", who.lang))
    if identity.is_principal:
        parts.append(texts("help_principal", who.lang))
    if identity.is_staff:
        parts.append(texts("help_staff", who.lang))
    if identity.is_admin:
        parts.append(texts("help_admin", who.lang))
    if not parts:
        parts.append(texts("help_unknown", who.lang))
    await update.effective_message.reply_text("\n\n".join(parts), parse_mode=ParseMode.HTML)


@guarded(private=True)
async def lang(update: Update, context: BotContext, who: Caller) -> None:
    assert update.effective_message is not None
    choice = (context.args or [""])[0].lower()
    if choice not in SUPPORTED:
        await update.effective_message.reply_text(texts("lang_usage", who.lang))
        return
    runtime = context.runtime
    async with runtime.session() as session:
        await set_language(session, who.identity.user_id, choice, runtime.clock.now())
    await update.effective_message.reply_text(texts("lang_set", choice))


@guarded()
async def unknown_command(update: Update, context: BotContext, who: Caller) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts("unknown_command", who.lang))


@guarded()
async def unknown_button(update: Update, context: BotContext, who: Caller) -> None:
    """Button data no handler knows (forged, or from an old version): an alert, never silence."""
    await refuse(update, who.lang)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("lang", lang))
