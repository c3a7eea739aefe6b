"""The 签收 reminder: an assignment (交办) not acknowledged two working days after it went."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from messages import buttons
from messages.i18n import Catalog
from messages.render import esc, split_message
from services.assignments import AcknowledgementDue
from services.due import Recipient

texts = Catalog(
    {
        "reminder": {
            "zh": "<b>签收提醒</b>：{unit}尚未签收 {day} 交办的《{plan}》任务，请点击“签收”确认。",
            "en": "<b>Please acknowledge</b>: {unit} has not acknowledged the tasks of "
            "“{plan}” handed over on {day}. Tap “Acknowledge”.",
        },
        "acknowledge": {"zh": "签收", "en": "Acknowledge"},
    }
)


def acknowledgement_reminder(
    due: AcknowledgementDue, r: Recipient, default_lang: str, tz: ZoneInfo
) -> dict[str, Any]:
    lang = r.language or default_lang
    day = due.sent_at.astimezone(tz).date().isoformat()
    text = texts("reminder", lang, unit=esc(due.unit), plan=esc(due.plan_title), day=day)
    data = buttons.encode(buttons.Acknowledge(due.assignment_id))
    key = InlineKeyboardButton(texts("acknowledge", lang), callback_data=data)
    return {"text": split_message(text)[0], "parse_mode": "HTML",
            "reply_markup": InlineKeyboardMarkup([[key]]).to_dict(), "meta": {}}  # fmt: skip
