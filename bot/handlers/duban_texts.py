"""Texts of the 督办 workflow shown inside other flows (the lead's report on a task)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ledger.reports import status_label
from messages.i18n import Catalog
from messages.render import esc, shorten
from services.support import SupportInput

texts = Catalog(
    {
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
