"""Owed tasks as lines of a message (prompts, reminders, 交办): grouped by plan (【CODE】), each
with its deadline and, for a supported task, its lead units and the day the input is due."""

from __future__ import annotations

from messages.i18n import Catalog
from messages.render import esc, shorten
from services.due import Item

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
    }
)


def task_lines(items: list[Item], lang: str) -> str:
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
