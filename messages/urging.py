"""催办's texts: the message a chased unit's people get, and the lines staff see (in the chat's
/urge and [催办], and in the Mini App's [催办]), in one place."""

from __future__ import annotations

from typing import Any

from messages.i18n import Catalog
from messages.render import esc, split_message
from messages.task_lines import task_lines
from services.urging import Urging

texts = Catalog(
    {
        "usage": {"zh": "用法：/urge 单位名称", "en": "Usage: /urge UNIT"},
        "unknown_unit": {"zh": "没有找到单位：{name}", "en": "No unit called {name}"},
        "button": {"zh": "催办 {unit}", "en": "Urge {unit}"},
        "message": {
            "zh": "<b>催办</b>：{unit} {period} 台账以下事项尚未报送，截止 {deadline}，"
            "请抓紧报送（/report 或回复提醒）：\n{tasks}",
            "en": "<b>Reminder from the bureau</b>: {unit}'s ledger for {period} still misses "
            "these reports, due {deadline}; please report now (/report):\n{tasks}",
        },
        "sent": {
            "zh": "已催办 {unit}（{period}）：未报 {tasks} 项，已通知 {people} 人。",
            "en": "Urged {unit} ({period}): {tasks} missing, {people} people told.",
        },
        "already_urged": {
            "zh": "{unit} 今天已催办过（{at} 发出），每个工作日最多催办一次。",
            "en": "{unit} was already urged today (sent at {at}); once per working day at most.",
        },
        "nothing_missing": {
            "zh": "{unit} {period} 台账没有未报事项，无需催办。",
            "en": "{unit} misses nothing for {period}: no need to urge.",
        },
        "nobody_to_urge": {
            "zh": "{unit} 没有可联系的填报人或主要负责同志（请先发送邀请码）。",
            "en": "{unit} has no reachable contact or principal (send an invite code first).",
        },
        "stale": {
            "zh": "该按钮已过期（{period} 不是当前台账），请重新发送 /overdue。",
            "en": "This button is out of date ({period} is not the open ledger); send /overdue.",
        },
    }
)


def urge_payload(urging: Urging, lang: str) -> dict[str, Any]:
    """The 催办 to one of the unit's people: its missing tasks and the deadline."""
    text = texts(
        "message", lang, unit=esc(urging.unit), period=urging.period.key,
        deadline=urging.deadline.isoformat(), tasks=task_lines(urging.items, lang),
    )  # fmt: skip
    return {"text": split_message(text)[0], "parse_mode": "HTML", "reply_markup": None,
            "meta": {"period": urging.period.key, "unit_id": urging.unit_id}}  # fmt: skip
