"""Scheduled messages as outbox payloads: prompts, reminders, escalations, milestone checks.
Built here (HTML, keyboards); decided and queued by scheduler.jobs. The digest: messages.digest."""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ledger.status import UnitStatus
from ledger.vocab import MilestoneOutcome
from messages import buttons
from messages.app_links import Target, app_button, with_button
from messages.i18n import Catalog
from messages.keyboards import task_keyboard
from messages.render import esc, split_message
from messages.task_lines import task_lines
from services.due import Item, Recipient
from services.pending import PrincipalWaiting

texts = Catalog(
    {
        "prompt": {
            "zh": "<b>{period} 推进台账</b>\n{unit}：请于 {deadline} 前报送本单位工作进展"
            "（经主要负责同志审定）。应报任务：\n{tasks}\n点击下方任务填报{reply_hint}。",
            "en": "<b>Progress ledger {period}</b>\n{unit}: please report by {deadline} "
            "(approved by your principal). Tasks:\n{tasks}\n"
            "Tap a task below to report{reply_hint}.",
        },
        "reply_hint": {"zh": "，或直接回复本消息", "en": ", or reply to this message"},
        "reminder": {
            "zh": "<b>提醒</b>：{unit} {period} 台账尚未报送完整，截止 {deadline}。"
            "尚未报送：\n{tasks}",
            "en": "<b>Reminder</b>: {unit}'s ledger for {period} is incomplete; due {deadline}. "
            "Still missing:\n{tasks}",
        },
        "review_reminder": {
            "zh": "<b>审定提醒</b>：{unit} {period} 台账有以下事项待您审定，"
            "截止 {deadline}：\n{tasks}",
            "en": "<b>Approval reminder</b>: {unit}'s ledger for {period} has reports waiting "
            "for your approval; due {deadline}:\n{tasks}",
        },
        "pending_reminder": {
            "zh": "<b>待办提醒</b>：{period} 台账将于 {deadline} 截止，以下事项待您处理"
            "（发送 /pending 逐项审定）：\n{items}",
            "en": "<b>Waiting for you</b>: the {period} ledger is due {deadline}; these items "
            "wait for your decision (send /pending):\n{items}",
        },
        "pending_entry": {
            "zh": "· 待审定：{unit} 任务{number}（{period} 台账）",
            "en": "· to approve: {unit} task {number} (ledger {period})",
        },
        "pending_closure": {
            "zh": "· 待审核销号：{unit} 任务{number}",
            "en": "· closing to approve: {unit} task {number}",
        },
        "escalation": {
            "zh": "<b>逾期通报</b>：{period} 台账已于 {deadline} 截止，以下单位逾期未报：\n{units}",
            "en": "<b>Overdue</b>: the {period} ledger was due {deadline}; these units have not "
            "reported:\n{units}",
        },
        "overdue_unit": {
            "zh": "<b>逾期通报</b>：{unit} {period} 台账已于 {deadline} 截止，以下任务逾期未报，"
            "请尽快报送：\n{tasks}",
            "en": "<b>Overdue</b>: {unit}'s ledger for {period} was due {deadline}; these tasks "
            "are still missing, please report them now:\n{tasks}",
        },
        "escalation_unbound": {
            "zh": "未绑定填报人（从未收到提醒，请发送邀请码）{n} 个：\n{units}",
            "en": "No bound contact (never prompted: send them an invite code), {n}:\n{units}",
        },
        "milestone": {
            "zh": "<b>{quarter} 节点目标核查</b>\n{unit}，任务 {number} 本季度目标：\n{target}\n"
            "请选择完成情况：",
            "en": "<b>Milestone check {quarter}</b>\n{unit}, task {number} target this quarter:\n"
            "{target}\nWas it met?",
        },
        "milestone_reminder": {
            "zh": "<b>提醒</b>：请答复 {quarter} 节点目标核查（任务 {number}）。\n{target}",
            "en": "<b>Reminder</b>: please answer the {quarter} milestone check (task {number}).\n"
            "{target}",
        },
        "milestone_escalation": {
            "zh": "<b>节点核查逾期</b>：{quarter} 以下单位未答复：\n{units}",
            "en": "<b>Milestone check overdue</b> ({quarter}); no answer from:\n{units}",
        },
        "met": {"zh": "已完成", "en": "met"},
        "partly": {"zh": "部分完成", "en": "partly"},
        "not_met": {"zh": "未完成", "en": "not met"},
    }
)

Payload = dict[str, Any]


def payload(text: str, markup: InlineKeyboardMarkup | None = None, **meta: Any) -> Payload:
    return {
        "text": split_message(text)[0],
        "parse_mode": "HTML",
        "reply_markup": markup.to_dict() if markup else None,
        "meta": meta,
    }


def _task_lines(items: list[Item], lang: str = "zh") -> str:
    """Tasks grouped by plan (in the order given: plans as imported), each group under its
    plan's code: 【工作要点】 (messages.task_lines)."""
    return task_lines(items, lang)


def _keyboard(items: list[Item], period: str, lang: str, public_url: str | None) -> Any:
    """A button per task, then [在表格中填报] when the Mini App is served."""
    tasks = task_keyboard([(i.key, i.number, i.text, i.plan) for i in items])
    return with_button(tasks, app_button(public_url, Target("form", period), lang))


def _meta(r: Recipient, period: str) -> dict[str, Any]:
    return {
        "period": period,
        "unit_id": r.unit_id,
        "task_numbers": [i.number for i in r.items],
        "task_ids": [i.key for i in r.items],
    }


def _lang(recipient_lang: str | None, default: str) -> str:
    return recipient_lang or default


def prompt(
    r: Recipient, period: str, deadline: date, default_lang: str, public_url: str | None = None
) -> Payload:
    lang = _lang(r.language, default_lang)
    hint = texts("reply_hint", lang) if len(r.items) == 1 else ""
    text = texts(
        "prompt",
        lang,
        period=period,
        unit=esc(r.unit),
        deadline=deadline.isoformat(),
        tasks=_task_lines(r.items, lang),
        reply_hint=hint,
    )
    return payload(text, _keyboard(r.items, period, lang, public_url), **_meta(r, period))


def _unit_tasks(key: str, r: Recipient, period: str, deadline: date, lang: str) -> str:
    """A message about a unit's tasks for a period and its deadline (reminders, notices)."""
    return texts(key, lang, unit=esc(r.unit), period=period, deadline=deadline.isoformat(),
                 tasks=_task_lines(r.items, lang))  # fmt: skip


def reminder(
    r: Recipient, period: str, deadline: date, default_lang: str, public_url: str | None = None
) -> Payload:
    lang = _lang(r.language, default_lang)
    text = _unit_tasks("reminder", r, period, deadline, lang)
    return payload(text, _keyboard(r.items, period, lang, public_url), **_meta(r, period))


def overdue_notice(
    r: Recipient,
    period: str,
    deadline: date,
    default_lang: str,
    *,
    buttons: bool,
    public_url: str | None = None,
) -> Payload:
    """At escalation, to the overdue unit itself: its missing tasks (with task buttons for its
    contacts; its principal gets the list only)."""
    lang = _lang(r.language, default_lang)
    text = _unit_tasks("overdue_unit", r, period, deadline, lang)
    keyboard = _keyboard(r.items, period, lang, public_url) if buttons else None
    return payload(text, keyboard, **_meta(r, period))


def review_reminder(
    r: Recipient, period: str, deadline: date, default_lang: str, public_url: str | None = None
) -> Payload:
    """To a principal: the entries of the unit waiting for their 审定 (and [审定] into the app)."""
    lang = _lang(r.language, default_lang)
    text = _unit_tasks("review_reminder", r, period, deadline, lang)
    app = with_button(None, app_button(public_url, Target("review", period), lang))
    return payload(text, app, period=period, unit_id=r.unit_id)


def pending_reminder(
    waiting: PrincipalWaiting, period: str, deadline: date, default_lang: str
) -> Payload:
    """To a principal the day before the deadline: every entry and 销号 waiting for them."""
    lang = _lang(waiting.language, default_lang)
    queue = waiting.queue
    lines = [texts("pending_entry", lang, unit=esc(e.unit), number=e.task_number,
                   period=e.period) for e in queue.entries]  # fmt: skip
    lines += [texts("pending_closure", lang, unit=esc(c.unit), number=c.task_number)
              for c in queue.closures]  # fmt: skip
    text = texts("pending_reminder", lang, period=period, deadline=deadline.isoformat(),
                 items="\n".join(lines))  # fmt: skip
    return payload(text, period=period)


def _unit_list(units: list[UnitStatus], mark: str = "🔴") -> str:
    return "\n".join(f"{mark} {esc(u.unit)}（{u.submitted}/{u.owed}）" for u in units)


def escalation(
    overdue: list[UnitStatus],
    unbound: list[UnitStatus],
    period: str,
    deadline: date,
    lang: str,
) -> Payload:
    """Overdue units that were prompted, then — apart — those nobody could be prompted in."""
    parts = []
    if overdue:
        parts.append(
            texts("escalation", lang, period=period, deadline=deadline.isoformat(),
                  units=_unit_list(overdue))
        )  # fmt: skip
    if unbound:
        if not overdue:
            parts.append(
                texts("escalation", lang, period=period, deadline=deadline.isoformat(), units="")
                .rstrip()
            )  # fmt: skip
        parts.append(
            texts("escalation_unbound", lang, n=len(unbound), units=_unit_list(unbound, "⚪"))
        )
    return payload("\n".join(parts))


def milestone_check(r: Recipient, item: Item, quarter: str, default_lang: str) -> Payload:
    lang = _lang(r.language, default_lang)
    text = texts(
        "milestone",
        lang,
        quarter=quarter,
        unit=esc(r.unit),
        number=item.number,
        target=esc(item.text),
    )
    keys = [
        InlineKeyboardButton(
            texts(o.value, lang), callback_data=buttons.encode(buttons.AnswerMilestone(item.key, o))
        )
        for o in MilestoneOutcome
    ]
    return payload(text, InlineKeyboardMarkup([keys]), quarter=quarter, milestone_id=item.key)


def milestone_reminder(r: Recipient, item: Item, quarter: str, default_lang: str) -> Payload:
    lang = _lang(r.language, default_lang)
    payload = milestone_check(r, item, quarter, default_lang)
    payload["text"] = split_message(
        texts(
            "milestone_reminder", lang, quarter=quarter, number=item.number, target=esc(item.text)
        )
    )[0]
    return payload


def milestone_escalation(units: list[str], quarter: str, lang: str) -> Payload:
    return payload(
        texts(
            "milestone_escalation",
            lang,
            quarter=quarter,
            units="\n".join(f"🔴 {esc(u)}" for u in units),
        )
    )
