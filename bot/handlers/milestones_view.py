"""/milestones [YYYYQn]: the quarter's targets and the answers (met, partly, missed, none);
the same lines under /status N and /status UNIT."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.access import Caller, guarded, known
from bot.context import BotApplication, BotContext
from bot.i18n import Catalog
from ledger.periods import Period, Quarter
from ledger.queries import QueryError, parse_quarter
from ledger.vocab import MilestoneOutcome
from messages.render import esc, shorten, split_message
from services.milestone_board import Target, quarter_targets, tally
from services.periods import open_period

MARKS = {
    MilestoneOutcome.MET: "✅",
    MilestoneOutcome.PARTLY: "🟡",
    MilestoneOutcome.NOT_MET: "❌",
    None: "⏳",
}

texts = Catalog(
    {
        "header": {
            "zh": "<b>{quarter} 节点目标</b>：已完成 {met} · 部分完成 {partly} · 未完成 "
            "{not_met} · 未答复 {none}",
            "en": "<b>Milestones {quarter}</b>: met {met} · partly {partly} · missed {not_met} "
            "· unanswered {none}",
        },
        "none_due": {"zh": "{quarter} 没有节点目标。", "en": "No milestone targets in {quarter}."},
        "usage": {
            "zh": "用法：/milestones [YYYYQn]，如 /milestones 2023Q1",
            "en": "Usage: /milestones [YYYYQn], e.g. /milestones 2023Q1",
        },
        "target": {
            "zh": "{plan}/{number} 目标：{target}",
            "en": "{plan}/{number} target: {target}",
        },
        "status_target": {
            "zh": "🎯 第{quarter}季度目标：{target}",
            "en": "🎯 Q{quarter} target: {target}",
        },
        "answer": {
            "zh": "  {mark} {unit}：{outcome}{why}",
            "en": "  {mark} {unit}: {outcome}{why}",
        },
        "met": {"zh": "已完成", "en": "met"},
        "partly": {"zh": "部分完成", "en": "partly met"},
        "not_met": {"zh": "未完成", "en": "not met"},
        "unanswered": {"zh": "未答复", "en": "not answered"},
    }
)


def answer_lines(target: Target, lang: str) -> list[str]:
    return [
        texts(
            "answer",
            lang,
            mark=MARKS[a.outcome],
            unit=esc(a.unit),
            outcome=texts(a.outcome.value if a.outcome else "unanswered", lang),
            why=f" — {esc(shorten(a.explanation, 80))}" if a.explanation else "",
        )
        for a in target.answers
    ]


def status_lines(targets: list[Target], lang: str) -> list[str]:
    """Under /status N or /status UNIT: each task's target this quarter and its answers."""
    lines = []
    for target in targets:
        text = esc(shorten(target.target, 100))
        if len(targets) > 1:
            text = f"{target.plan}/{target.number} {text}"
        lines.append(texts("status_target", lang, quarter=target.quarter.number, target=text))
        lines += answer_lines(target, lang)
    return lines


async def targets_for(
    session: AsyncSession,
    context: BotContext,
    period: Period,
    *,
    unit_ids: list[int] | None = None,
    task_ids: list[int] | None = None,
) -> list[Target]:
    """The targets of `period`'s quarter, answered as of the open period."""
    runtime = context.runtime
    current = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
    return await quarter_targets(
        session, period.quarter, current=current, unit_ids=unit_ids, task_ids=task_ids,
        **runtime.as_of(),
    )  # fmt: skip


@guarded(known, private=True)
async def milestones_command(update: Update, context: BotContext, who: Caller) -> None:
    message = update.effective_message
    assert message is not None
    words = list(context.args or [])
    runtime = context.runtime
    async with runtime.session() as session:
        current = await open_period(session, now=runtime.clock.now(), tz=runtime.settings.tz)
        try:
            quarter = parse_quarter(words[0]) if words else current.quarter
        except QueryError:
            await message.reply_text(texts("usage", who.lang))
            return
        if len(words) > 1 or quarter > current.quarter:
            await message.reply_text(texts("usage", who.lang))
            return
        mine = None if who.identity.is_staff else [b.unit_id for b in who.identity.bindings]
        targets = await quarter_targets(
            session, quarter, current=current, unit_ids=mine, **runtime.as_of()
        )
    await _send(update, who, quarter, targets)


async def _send(update: Update, who: Caller, quarter: Quarter, targets: list[Target]) -> None:
    assert update.effective_message is not None
    if not targets:
        await update.effective_message.reply_text(texts("none_due", who.lang, quarter=quarter.key))
        return
    counts = tally(targets)
    lines = [
        texts(
            "header", who.lang, quarter=quarter.key, met=counts[MilestoneOutcome.MET],
            partly=counts[MilestoneOutcome.PARTLY], not_met=counts[MilestoneOutcome.NOT_MET],
            none=counts[None],
        )
    ]  # fmt: skip
    for target in targets:
        lines.append(
            texts(
                "target", who.lang, plan=esc(target.plan), number=target.number,
                target=esc(shorten(target.target, 100)),
            )
        )  # fmt: skip
        lines += answer_lines(target, who.lang)
    for part in split_message("\n".join(lines)):
        await update.effective_message.reply_text(part, parse_mode=ParseMode.HTML)


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler("milestones", milestones_command))
