"""The report flow as a table of steps: what each step asks, which answer it stores, what
comes next. The flow's state lives in the database (services.conversations) as a plain dict,
so a restart of the bot resumes where the contact was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ForceReply
from telegram.constants import ParseMode

from bot.access import Caller, save_flow
from bot.context import BotContext
from bot.handlers.report_texts import (
    confirm_keyboard,
    or_none,
    skip_keyboard,
    status_keyboard,
    status_text,
    texts,
)
from bot.handlers.reporting.more_texts import texts as more_texts
from ledger.periods import Period
from ledger.vocab import EntryStatus
from messages.render import esc, split_message
from services import conversations
from services.reporting import Draft

FLOW = "report"


@dataclass(frozen=True)
class Step:
    """One step: the draft field a typed answer fills (None: answered with a button), the step
    after it, and whether [跳过] may leave it empty."""

    name: str
    field: str | None
    after: str
    skippable: bool = False


STEPS = {
    step.name: step
    for step in (
        Step("status", None, "progress"),
        Step("progress", "progress", "problems"),
        Step("problems", "problems", "next_steps", skippable=True),
        Step("next_steps", "next_steps", "confirm", skippable=True),
        Step("evidence", None, "confirm", skippable=True),  # only from the edit menu
        Step("confirm", None, "confirm"),
    )
}


def step_of(data: dict[str, Any]) -> Step | None:
    return STEPS.get(str(data.get("step")))


def move_to(data: dict[str, Any], step: str) -> None:
    """The flow at `step`; a step whose answer the draft already holds (a reply to a prompt
    carries the progress) is passed over, unless it is being edited."""
    if step == "progress" and data.get("progress") and not data.get("editing"):
        step = "confirm"
    if step == "confirm":
        data.pop("editing", None)
    data["step"] = step


def next_step(data: dict[str, Any]) -> str:
    """The step after the current one; after changing one field from the summary, the
    summary."""
    current = step_of(data)
    return "confirm" if data.get("editing") else current.after if current else "status"


async def store(
    session: AsyncSession, context: BotContext, who: Caller, data: dict[str, Any]
) -> None:
    """Keep the flow within the caller's unit of work (a press reads and moves it in one)."""
    await conversations.save(
        session, user_id=who.identity.user_id, chat_id=who.chat_id, flow=FLOW, data=data,
        now=context.runtime.clock.now(),
    )  # fmt: skip


async def go_to(context: BotContext, who: Caller, data: dict[str, Any], step: str) -> None:
    """Store the flow at `step` and ask its question."""
    move_to(data, step)
    await save_flow(context, who, FLOW, data)
    await ask(context, who, data)


async def advance(context: BotContext, who: Caller, data: dict[str, Any]) -> None:
    """On to the next step; after changing one field from the summary, back to the summary."""
    await go_to(context, who, data, next_step(data))


async def ask(context: BotContext, who: Caller, data: dict[str, Any]) -> None:
    """Send the question of the flow's current step."""
    step = str(data["step"])
    if step == "status":
        text = texts(
            "pick_status", who.lang, number=data["number"], text=esc(data.get("title", ""))
        )
        if data.get("support"):  # a lead unit's task: the supporting units' inputs
            text = f"{text}\n\n{data['support']}"
        await _send(context, who, text, status_keyboard(who.lang))
    elif step == "confirm":  # three answers of 3,000 characters: split, nothing cut
        parts = split_message(summary(who, data))
        for part in parts[:-1]:
            await _send(context, who, part, None)
        await _send(context, who, parts[-1], confirm_keyboard(who.lang))
    elif step == "progress":
        status = status_text(data["status"], who.lang)
        text = texts("ask_progress", who.lang, number=data["number"], status=status)
        await _send(context, who, text, ForceReply(selective=True))
    elif step == "evidence":
        await _send(context, who, more_texts("ask_evidence", who.lang), skip_keyboard(who.lang))
    else:
        await _send(context, who, texts(f"ask_{step}", who.lang), skip_keyboard(who.lang))


def summary(who: Caller, data: dict[str, Any]) -> str:
    return texts(
        "summary",
        who.lang,
        period=data["period"],
        number=data["number"],
        status=status_text(data["status"], who.lang),
        progress=or_none(data.get("progress"), who.lang),
        problems=or_none(data.get("problems"), who.lang),
        next_steps=or_none(data.get("next_steps"), who.lang),
        evidence=len(data.get("evidence", [])),
    )


def draft_of(data: dict[str, Any]) -> Draft:
    """The entry a finished flow submits."""
    return Draft(
        task_number=int(data["number"]),
        status=EntryStatus(data["status"]),
        progress=data.get("progress") or "",
        problems=data.get("problems"),
        next_steps=data.get("next_steps"),
        evidence=list(data.get("evidence", [])),
        plan_code=data.get("plan"),
        task_id=data.get("task_id"),
    )


def period_of(data: dict[str, Any]) -> Period | None:
    return Period.parse(data["period"]) if data.get("period") else None


async def _send(context: BotContext, who: Caller, text: str, markup: Any) -> None:
    await context.bot.send_message(
        who.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )
