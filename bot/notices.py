"""Scheduled messages as outbox payloads: prompts, reminders, escalations, milestone checks,
digests. Built here (Telegram glue: HTML, keyboards); decided and queued by scheduler.jobs."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.report_texts import task_keyboard
from bot.i18n import Catalog
from bot.render import esc, shorten, split_message
from ledger.status import UnitStatus, totals
from ledger.traffic_light import Light
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
            "zh": "<b>提醒</b>：{unit} {period} 台账尚未报送完整，截止 {deadline}。\n{tasks}",
            "en": "<b>Reminder</b>: {unit}'s ledger for {period} is incomplete; due {deadline}.\n"
            "{tasks}",
        },
        "escalation": {
            "zh": "<b>逾期通报</b>：{period} 台账已于 {deadline} 截止，以下单位逾期未报：\n{units}",
            "en": "<b>Overdue</b>: the {period} ledger was due {deadline}; these units have not "
            "reported:\n{units}",
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
            " · 待审定 {awaiting} · 逾期 {late} · 未报 {missing}",
            "en": "<b>Weekly digest</b> {period} (due {deadline})\nowed {owed} · submitted "
            "{submitted} · awaiting approval {awaiting} · late {late} · missing {missing}",
        },
        "digest_red": {"zh": "🔴 逾期：{units}", "en": "🔴 overdue: {units}"},
        "digest_yellow": {"zh": "🟡 临近截止：{units}", "en": "🟡 due soon: {units}"},
        "digest_behind": {"zh": "滞后任务：", "en": "Tasks behind schedule:"},
        "digest_units": {
            "zh": "单位：应报 {owing} · 已报齐 {reported} · 已审定 {approved} · 有逾期 {late}"
            " · 有未报 {missing}",
            "en": "units: owing {owing} · all reported {reported} · approved {approved} · "
            "with late {late} · with missing {missing}",
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


def _task_lines(items: list[Item]) -> str:
    return "\n".join(f"{i.number}. {esc(shorten(i.text, 80))}" for i in items)


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
        tasks=_task_lines(r.items),
        reply_hint=hint,
    )
    keyboard = task_keyboard([(i.number, i.text) for i in r.items])
    return _payload(
        text, keyboard, period=period, unit_id=r.unit_id, task_numbers=[i.number for i in r.items]
    )


def reminder(r: Recipient, period: str, deadline: date, default_lang: str) -> Payload:
    lang = _lang(r.language, default_lang)
    text = texts(
        "reminder",
        lang,
        unit=esc(r.unit),
        period=period,
        deadline=deadline.isoformat(),
        tasks=_task_lines(r.items),
    )
    keyboard = task_keyboard([(i.number, i.text) for i in r.items])
    return _payload(
        text, keyboard, period=period, unit_id=r.unit_id, task_numbers=[i.number for i in r.items]
    )


def _unit_list(units: list[UnitStatus]) -> str:
    return "\n".join(f"🔴 {esc(u.unit)}（{u.submitted}/{u.owed}）" for u in units)


def escalation(units: list[UnitStatus], period: str, deadline: date, lang: str) -> Payload:
    return _payload(
        texts(
            "escalation",
            lang,
            period=period,
            deadline=deadline.isoformat(),
            units=_unit_list(units),
        )
    )


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
    buttons = [
        InlineKeyboardButton(texts(o, lang), callback_data=f"mc:{item.key}:{o}")
        for o in ("met", "partly", "not_met")
    ]
    return _payload(text, InlineKeyboardMarkup([buttons]), quarter=quarter, milestone_id=item.key)


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
    """The weekly digest text: counts of tasks and units, red and yellow units by name, tasks
    reported 滞后 one line each, the next deadline and the quarter's milestones."""
    status, units = data.status, [u for u in data.status.units if u.owed]
    t = totals(status.units)
    lines = [
        texts(
            "digest",
            lang,
            period=status.period.key,
            deadline=data.deadline.isoformat(),
            owed=t.owed,
            submitted=t.submitted,
            awaiting=t.awaiting_approval,
            late=t.late,
            missing=t.missing,
        ),
        texts(
            "digest_units",
            lang,
            owing=len(units),
            reported=sum(1 for u in units if u.submitted + u.awaiting_approval >= u.owed),
            approved=sum(1 for u in units if u.complete),
            late=sum(1 for u in units if u.late),
            missing=sum(1 for u in units if u.missing),
        ),
    ]
    for light, key in ((Light.RED, "digest_red"), (Light.YELLOW, "digest_yellow")):
        names = [esc(u.unit) for u in status.units if data.lights.get(u.unit_id) == light]
        if names:
            lines.append(texts(key, lang, units="、".join(names)))
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
            texts(
                "digest_milestones",
                lang,
                quarter=data.quarter.key,
                due=data.milestones_due,
                answered=data.milestones_answered,
                deadline=data.milestone_deadline.isoformat(),
            )
        )
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
