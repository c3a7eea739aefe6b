"""The words of a report: statuses in Chinese and English, and the `/report` shortcut syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.task_numbers import split_task_number
from ledger.vocab import EntryStatus

STATUS_LABELS: dict[EntryStatus, dict[str, str]] = {
    EntryStatus.DONE: {"zh": "已完成", "en": "done"},
    EntryStatus.ON_TRACK: {"zh": "序时推进", "en": "on track"},
    EntryStatus.BEHIND: {"zh": "滞后", "en": "behind"},
    EntryStatus.NOT_STARTED: {"zh": "未启动", "en": "not started"},
}

_STATUS_WORDS: dict[str, EntryStatus] = {
    **{labels["zh"]: status for status, labels in STATUS_LABELS.items()},
    **{status.value: status for status in EntryStatus},
    "on-track": EntryStatus.ON_TRACK,
    "not-started": EntryStatus.NOT_STARTED,
}

MAX_TEXT = 3000  # leaves room for the bot's own framing inside Telegram's 4096 characters


class ReportSyntaxError(ValueError):
    """A `/report` line that cannot be read; `key` names the message to show."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class ReportLine:
    task_number: int
    status: EntryStatus
    text: str
    plan_code: str | None = None  # `要点/5`: the plan the number belongs to


def parse_status(word: str) -> EntryStatus | None:
    return _STATUS_WORDS.get(word.strip().lower())


def status_label(status: EntryStatus, lang: str) -> str:
    return STATUS_LABELS[status].get(lang, STATUS_LABELS[status]["zh"])


def parse_report(arguments: str) -> ReportLine:
    """Read `<task number> <status> <text>`, e.g. `5 序时推进 路基工程完成70%` or
    `第5项 序时推进 …` (any task number ledger.task_numbers reads)."""
    split = split_task_number(arguments)
    if split is None:
        first = arguments.split(maxsplit=1)
        bad = first and len(arguments.split(maxsplit=2)) == 3
        raise ReportSyntaxError("report_bad_number" if bad else "report_usage")
    ref, rest = split
    status, text = split_status(rest)
    if not text:
        raise ReportSyntaxError("report_usage")
    if status is None:
        raise ReportSyntaxError("report_bad_status")
    if len(text) > MAX_TEXT:
        raise ReportSyntaxError("report_too_long")
    return ReportLine(ref.number, status, text, ref.plan_code)


def split_status(text: str) -> tuple[EntryStatus | None, str]:
    """`序时推进 路基完成70%` → (on track, "路基完成70%"); a text that does not begin with a
    status word is all text."""
    parts = text.strip().split(maxsplit=1)
    status = parse_status(parts[0].rstrip("，,:：。")) if parts else None
    if status is None:
        return None, text.strip()
    return status, parts[1].strip() if len(parts) > 1 else ""


_FIELD_WORDS = {
    "进展": "progress", "进展情况": "progress", "progress": "progress",
    "问题": "problems", "存在问题": "problems", "problems": "problems",
    "下步": "next_steps", "下步打算": "next_steps", "next steps": "next_steps",
}  # fmt: skip
_FIELD = re.compile(r"\s*(?P<word>[^:：\n]{1,10}?)\s*[:：]\s*(?P<value>.+)", re.DOTALL)


def split_field(text: str) -> tuple[str, str] | None:
    """`问题：征地偏慢` → ("problems", "征地偏慢"): a typed correction of one field of a report;
    None when the text names no field."""
    match = _FIELD.fullmatch(text)
    field = _FIELD_WORDS.get(match["word"].strip().lower()) if match else None
    return (field, match["value"].strip()) if match and field else None


def clean_text(text: str) -> str:
    """User text as stored: trimmed, without NUL bytes, at most MAX_TEXT characters."""
    return text.replace("\x00", "").strip()[:MAX_TEXT]
