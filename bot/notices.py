"""Scheduled messages as outbox payloads: prompts, reminders, escalations, milestone checks,
digests. Built here (Telegram glue: HTML, keyboards); decided and queued by scheduler.jobs."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import buttons
from bot.handlers.duban_texts import task_lines
from bot.handlers.report_texts import task_keyboard
from bot.i18n import Catalog
from bot.render import esc, shorten, split_message
from ledger.status import UnitStatus, totals
from ledger.traffic_light import Light
from ledger.vocab import MilestoneOutcome
from reports.chart import submission_chart
from services.digest import DigestData
from services.due import Item, Recipient

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
        "escalation": {
            "zh": "<b>逾期通报</b>：{period} 台账已于 {deadline} 截止，以下单位逾期未报：\n{units}",
            "en": "<b>Overdue</b>: the {period} ledger was due {deadline}; these units have not "
            "reported:\n{units}",
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
        "digest": {
            "zh": "<b>每周台账简报</b> {period}（截止 {deadline}）\n应报 {owed} · 已报 {submitted}"
            " · 待审定 {awaiting} · 未报 {missing}（其中逾期 {overdue}） · 迟报 {late}",
            "en": "<b>Weekly digest</b> {period} (due {deadline})\nowed {owed} · submitted "
            "{submitted} · awaiting approval {awaiting} · missing {missing} (overdue {overdue})"
            " · late {late}",
        },
        "digest_support": {
            "zh": "其中配合单位反馈：应报 {owed} · 已报 {submitted}",
            "en": "of which supporting units' input: owed {owed} · submitted {submitted}",
        },
        "digest_uncovered": {
            "zh": "<b>每周台账简报</b> {period}：没有计划覆盖本期，无需报送台账。",
            "en": "<b>Weekly digest</b> {period}: no plan covers this period; nothing is owed.",
        },
        "digest_opened": {
            "zh": "📣 本期台账今日开始报送，截止 {deadline}。",
            "en": "📣 This period's ledger opened today; due {deadline}.",
        },
        "digest_red": {"zh": "🔴 逾期：{units}", "en": "🔴 overdue: {units}"},
        "digest_yellow": {"zh": "🟡 临近截止：{units}", "en": "🟡 due soon: {units}"},
        "digest_unbound": {
            "zh": "⚪ 未绑定填报人（需发送邀请码）：{units}",
            "en": "⚪ no bound contact (send an invite code): {units}",
        },
        "digest_behind": {"zh": "滞后任务：", "en": "Tasks behind schedule:"},
        "digest_units": {
            "zh": "单位：应报 {owing} · 已报齐 {complete} · 逾期 {red} · 临近截止 {yellow}"
            " · 未绑定 {unbound}",
            "en": "units: owing {owing} · complete {complete} · overdue {red} · due soon "
            "{yellow} · no contact {unbound}",
        },
        "digest_more": {"zh": "  …另有 {n} 项", "en": "  … {n} more"},
        "digest_next": {"zh": "⏰ 下一截止：{date}", "en": "⏰ next deadline: {date}"},
        "digest_milestones": {
            "zh": "🎯 {quarter} 节点目标 {due} 项，已答复 {answered} 项（核查截止 {deadline}）",
            "en": "🎯 {quarter} milestones: {due}, answered {answered} (check due {deadline})",
        },
        "digest_chart": {
            "zh": "{period} 台账报送情况（截至 {today}）",
            "en": "Ledger {period}: submissions as of {today}",
        },
        "met": {"zh": "已完成", "en": "met"},
        "partly": {"zh": "部分完成", "en": "partly"},
        "not_met": {"zh": "未完成", "en": "not met"},
    }
)

Payload = dict[str, Any]


def _payload(text: str, markup: InlineKeyboardMarkup | None = None, **meta: Any) -> Payload:
    return {
        "text": split_message(text)[0],
        "parse_mode": "HTML",
        "reply_markup": markup.to_dict() if markup else None,
        "meta": meta,
    }


def _task_lines(items: list[Item], lang: str = "zh") -> str:
    """Tasks grouped by plan (in the order given: plans as imported), each group under its
    plan's code: 【工作要点】 (bot.handlers.duban_texts.task_lines)."""
    return task_lines(items, lang)


def _keyboard(items: list[Item]) -> Any:
    return task_keyboard([(i.key, i.number, i.text, i.plan) for i in items])


def _meta(r: Recipient, period: str) -> dict[str, Any]:
    return {
        "period": period,
        "unit_id": r.unit_id,
        "task_numbers": [i.number for i in r.items],
        "task_ids": [i.key for i in r.items],
    }


def _lang(recipient_lang: str | None, default: str) -> str:
    return recipient_lang or default


def prompt(r: Recipient, period: str, deadline: date, default_lang: str) -> Payload:
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
    return _payload(text, _keyboard(r.items), **_meta(r, period))


def reminder(r: Recipient, period: str, deadline: date, default_lang: str) -> Payload:
    lang = _lang(r.language, default_lang)
    text = texts(
        "reminder",
        lang,
        unit=esc(r.unit),
        period=period,
        deadline=deadline.isoformat(),
        tasks=_task_lines(r.items, lang),
    )
    return _payload(text, _keyboard(r.items), **_meta(r, period))


def review_reminder(r: Recipient, period: str, deadline: date, default_lang: str) -> Payload:
    """To a principal: the entries of the unit waiting for their 审定."""
    lang = _lang(r.language, default_lang)
    text = texts(
        "review_reminder",
        lang,
        unit=esc(r.unit),
        period=period,
        deadline=deadline.isoformat(),
        tasks=_task_lines(r.items, lang),
    )
    return _payload(text, period=period, unit_id=r.unit_id)


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
    return _payload("\n".join(parts))


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
    return _payload(text, InlineKeyboardMarkup([keys]), quarter=quarter, milestone_id=item.key)


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
    return _payload(
        texts(
            "milestone_escalation",
            lang,
            quarter=quarter,
            units="\n".join(f"🔴 {esc(u)}" for u in units),
        )
    )


BEHIND_LINES = 10  # keeps the digest a phone screen or two


def digest(data: DigestData, lang: str) -> Payload:
    """The weekly digest text. Every count and every list comes from the one aggregate (the
    status and its lights), so the header can never disagree with the names under it."""
    status = data.status
    if not status.covered:
        return _payload(texts("digest_uncovered", lang, period=status.period.key))
    t = totals(status.units)
    red, yellow = data.units_lit(Light.RED), data.units_lit(Light.YELLOW)
    unbound = data.unbound()
    lines = [
        texts("digest", lang, period=status.period.key, deadline=data.deadline.isoformat(),
              owed=t.owed, submitted=t.submitted, awaiting=t.awaiting_approval,
              missing=t.missing, overdue=t.overdue, late=t.late),
        texts("digest_units", lang, owing=t.units, complete=t.complete_units, red=len(red),
              yellow=len(yellow), unbound=len(unbound)),
    ]  # fmt: skip
    if t.support_owed:
        lines.insert(1, texts("digest_support", lang, owed=t.support_owed,
                              submitted=t.support_submitted))  # fmt: skip
    if data.opened_today:
        lines.append(texts("digest_opened", lang, deadline=data.deadline.isoformat()))
    for key, units in (("digest_red", red), ("digest_yellow", yellow), ("digest_unbound", unbound)):
        if units:
            lines.append(texts(key, lang, units="、".join(esc(u.unit) for u in units)))
    behind = [(u.unit, e) for u in status.units for e in u.entries if e.status.value == "behind"]
    if behind:
        lines.append(texts("digest_behind", lang))
        lines += [
            f"· {e.task_number} {esc(unit)}：{esc(shorten(e.text, 50))}"
            for unit, e in behind[:BEHIND_LINES]
        ]
        if len(behind) > BEHIND_LINES:
            lines.append(texts("digest_more", lang, n=len(behind) - BEHIND_LINES))
    lines.append(texts("digest_next", lang, date=data.next_deadline.isoformat()))
    if data.milestones_due:
        lines.append(
            texts("digest_milestones", lang, quarter=data.quarter.key, due=data.milestones_due,
                  answered=data.milestones_answered, deadline=data.milestone_deadline.isoformat())
        )  # fmt: skip
    return _payload("\n".join(lines))


def digest_chart(data: DigestData, today: date, lang: str) -> Payload:
    """The digest's chart as a photo payload: the dispatcher sends it with sendPhoto."""
    title = texts("digest_chart", lang, period=data.status.period.key, today=today.isoformat())
    png = submission_chart(title, data.chart_rows(), lang)
    return {
        "photo_b64": base64.b64encode(png).decode("ascii"),
        "caption": esc(title),
        "parse_mode": "HTML",
        "meta": {"period": data.status.period.key},
    }
