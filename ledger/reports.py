"""The words of a report: statuses in Chinese and English, and the `/report` shortcut syntax."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.plans import parse_task_ref
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
    """Read `<task number> <status> <text>`, e.g. `5 序时推进 路基工程完成70%`."""
    parts = arguments.split(maxsplit=2)
    if len(parts) < 3:
        raise ReportSyntaxError("report_usage")
    number, word, text = parts
    ref = parse_task_ref(number)
    if ref is None:
        raise ReportSyntaxError("report_bad_number")
    status = parse_status(word)
    if status is None:
        raise ReportSyntaxError("report_bad_status")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ReportSyntaxError("report_too_long")
    return ReportLine(ref.number, status, text, ref.plan_code)


def clean_text(text: str) -> str:
    """User text as stored: trimmed, without NUL bytes, at most MAX_TEXT characters."""
    return text.replace("\x00", "").strip()[:MAX_TEXT]
