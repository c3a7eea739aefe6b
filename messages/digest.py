"""The weekly digest as outbox payloads: its text and its chart (a photo)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

from ledger.status import totals
from ledger.traffic_light import Light
from messages.app_links import Target, group_app_button, with_button
from messages.i18n import Catalog
from messages.notices import Payload, payload
from messages.render import esc, shorten
from reports.chart import submission_chart
from services.digest import DigestData

texts = Catalog(
    {
        "digest": {
            "zh": "<b>每周台账简报</b> {period}（截止 {deadline}）\n应报 {owed} · 已报 {submitted}"
            " · 待审定 {awaiting} · 未报 {missing}（其中逾期 {overdue}） · 迟报 {late}",
            "en": "<b>Weekly digest</b> {period} (due {deadline})\nowed {owed} · submitted "
            "{submitted} · awaiting approval {awaiting} · missing {missing} (overdue {overdue})"
            " · late {late}",
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
        "digest_support": {
            "zh": "其中配合单位反馈：应报 {owed} · 已报 {submitted}",
            "en": "of which supporting units' input: owed {owed} · submitted {submitted}",
        },
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
    }
)


@dataclass(frozen=True)
class DigestApp:
    """What the digest's [打开台账] needs: the Mini App's public URL and the bot's username
    (a group gets a t.me startapp link; without either, no button)."""

    public_url: str | None = None
    bot_username: str | None = None


def digest_message(data: DigestData, lang: str, app: DigestApp | None = None) -> Payload:
    """The weekly digest text. Every count and every list comes from the one aggregate (the
    status and its lights), so the header can never disagree with the names under it."""
    status = data.status
    if not status.covered:
        return payload(texts("digest_uncovered", lang, period=status.period.key))
    app = app or DigestApp()
    target = Target("grid", status.period.key)
    button = group_app_button(app.public_url, app.bot_username, target, lang)
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
    if data.behind:
        lines.append(texts("digest_behind", lang))
        lines += [
            f"· {b.task_number} {esc(b.unit)}：{esc(shorten(b.text, 50))}" for b in data.behind
        ]
        if data.behind_total > len(data.behind):
            lines.append(texts("digest_more", lang, n=data.behind_total - len(data.behind)))
    lines.append(texts("digest_next", lang, date=data.next_deadline.isoformat()))
    if data.milestones_due:
        lines.append(
            texts("digest_milestones", lang, quarter=data.quarter.key, due=data.milestones_due,
                  answered=data.milestones_answered, deadline=data.milestone_deadline.isoformat())
        )  # fmt: skip
    return payload("\n".join(lines), with_button(None, button))


def chart_title(data: DigestData, today: date, lang: str) -> str:
    return texts("digest_chart", lang, period=data.status.period.key, today=today.isoformat())


def digest_chart(data: DigestData, today: date, lang: str) -> Payload:
    """The digest's chart as a photo payload: the dispatcher sends it with sendPhoto."""
    title = chart_title(data, today, lang)
    png = submission_chart(title, data.chart_rows(), lang)
    return {
        "photo_b64": base64.b64encode(png).decode("ascii"),
        "caption": esc(title),
        "parse_mode": "HTML",
        "meta": {"period": data.status.period.key},
    }
