"""Texts of the 督办 workflow shown inside other flows (the lead's report on a task)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Catalog
from bot.render import esc, shorten
from ledger.reports import status_label
from services.due import Item
from services.support import SupportInput

texts = Catalog(
    {
        "task_due": {"zh": "（时限：{due}）", "en": " (due {due})"},
        "support_of": {
            "zh": "\n   配合任务（牵头单位：{lead}），请于 {by} 前报送配合单位反馈",
            "en": "\n   supporting task (lead: {lead}): send your input by {by}",
        },
        "support_plain": {
            "zh": "\n   配合任务（牵头单位：{lead}），每月报送配合单位反馈",
            "en": "\n   supporting task (lead: {lead}): a monthly input",
        },
        "support_header": {"zh": "配合单位反馈：", "en": "Supporting units' input:"},
        "support_sent": {"zh": "· {unit}：{status}，{text}", "en": "· {unit}: {status}, {text}"},
        "support_missing": {
            "zh": "· {unit}：尚未反馈（配合反馈截止 {day}）",
            "en": "· {unit}: nothing yet (input due {day})",
        },
    }
)


def render_support_inputs(inputs: list[SupportInput], lang: str, tz: ZoneInfo) -> str:
    """What the lead unit's contact sees while reporting a task: each supporting unit's input,
    or who has not sent one and by when it was due; "" when the task owes none."""
    if not inputs:
        return ""
    lines = [texts("support_header", lang)]
    for item in inputs:
        if item.sent and item.status is not None:
            lines.append(
                texts("support_sent", lang, unit=esc(item.unit),
                      status=status_label(item.status, lang), text=esc(shorten(item.text, 80)))
            )  # fmt: skip
            continue
        day = _last_day(item.due_at, tz)
        lines.append(texts("support_missing", lang, unit=esc(item.unit), day=day))
    return "\n".join(lines)


def _last_day(due_at: datetime, tz: ZoneInfo) -> str:
    """The day a due instant (midnight after it) ends."""
    return (due_at.astimezone(tz) - timedelta(days=1)).date().isoformat()


def task_lines(items: list[Item], lang: str) -> str:
    """Tasks grouped by plan (【CODE】), each with its deadline and, for a supported task, its
    lead units and the day the input is due."""
    lines: list[str] = []
    plan = None
    for item in items:
        if item.plan != plan:
            plan = item.plan
            lines.append(f"【{esc(plan)}】")
        extra = texts("task_due", lang, due=esc(item.due)) if item.due else ""
        if item.lead is not None and item.support_by:
            extra += texts("support_of", lang, lead=esc(item.lead), by=item.support_by)
        elif item.lead is not None:  # an assignment (交办): no period, no due day yet
            extra += texts("support_plain", lang, lead=esc(item.lead))
        lines.append(f"{item.number}. {esc(shorten(item.text, 80))}{extra}")
    return "\n".join(lines)
