"""How versions, their changes and their attachments read in Chinese and English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Catalog
from ledger.entries import REVIEW_LABELS
from ledger.history import Change
from ledger.reports import status_label
from ledger.vocab import EntryState, EntryStatus
from messages.render import esc, shorten
from services.history import Attachment, Version

TEXT_WIDTH = 120

texts = Catalog(
    {
        "history_usage": {
            "zh": "用法：/history 任务编号 [YYYY-MM]；工作人员：/history 单位 任务编号 [YYYY-MM]",
            "en": "Usage: /history N [YYYY-MM]; staff: /history UNIT N [YYYY-MM]",
        },
        "history_header": {
            "zh": "<b>{unit} 任务 {number}</b>（{plan}，{period}）版本记录：",
            "en": "<b>{unit} task {number}</b> ({plan}, {period}) versions:",
        },
        "no_versions": {
            "zh": "{unit} 任务 {number}（{period}）尚无填报记录。",
            "en": "{unit} has not reported on task {number} for {period}.",
        },
        "no_task": {
            "zh": "{period} 没有任务 {number}。",
            "en": "There is no task {number} in {period}.",
        },
        "version_line": {
            "zh": "<b>第{version}版</b> · {at} · {who} · {state}{current}",
            "en": "<b>Version {version}</b> · {at} · {who} · {state}{current}",
        },
        "current": {"zh": " · 当前版本", "en": " · current"},
        "approved_by": {"zh": "  ✔ {who} {at} 审定通过", "en": "  ✔ approved by {who} {at}"},
        "returned_by": {
            "zh": "  ↩ {who} {at} 退回：{note}",
            "en": "  ↩ returned by {who} {at}: {note}",
        },
        "change": {"zh": "  {field}：{before} → {after}", "en": "  {field}: {before} → {after}"},
        "first": {"zh": "  {field}：{after}", "en": "  {field}: {after}"},
        "files_added": {"zh": "  附件 +{n}：{names}", "en": "  attachments +{n}: {names}"},
        "files_removed": {"zh": "  附件 −{n}：{names}", "en": "  attachments −{n}: {names}"},
        "unchanged": {"zh": "  （内容未改动）", "en": "  (no change)"},
        "empty": {"zh": "（空）", "en": "(empty)"},
        "since_approved": {
            "zh": "与上次审定版本相比：",
            "en": "Changes since the last approved version:",
        },
        "never_approved": {"zh": "（此前无审定版本）", "en": "(no version approved before)"},
        "status": {"zh": "状态", "en": "Status"},
        "progress": {"zh": "进展情况", "en": "Progress"},
        "problems": {"zh": "存在问题", "en": "Problems"},
        "next_steps": {"zh": "下步打算", "en": "Next steps"},
        "photo": {"zh": "照片", "en": "photo"},
        "document": {"zh": "文件", "en": "document"},
    }
)


def when(at: datetime | None, tz: ZoneInfo) -> str:
    """A time as the bureau reads it: month-day hour:minute in its time zone."""
    return at.astimezone(tz).strftime("%m-%d %H:%M") if at else "—"


def _value(field: str, value: str | None, lang: str) -> str:
    if not value:
        return texts("empty", lang)
    if field == "status":
        return status_label(EntryStatus(value), lang)
    return esc(shorten(value, TEXT_WIDTH))


def kind_label(kind: str, lang: str) -> str:
    return texts(kind, lang) if kind in ("photo", "document") else esc(kind)


def change_lines(found: list[Change], lang: str, *, first: bool = False) -> list[str]:
    """One line per changed field (HTML); the whole content when `first`."""
    lines = []
    for change in found:
        if change.field == "evidence":
            if change.added:
                names = "、".join(kind_label(n, lang) for n in change.added)
                lines.append(texts("files_added", lang, n=len(change.added), names=names))
            if change.removed:
                names = "、".join(kind_label(n, lang) for n in change.removed)
                lines.append(texts("files_removed", lang, n=len(change.removed), names=names))
            continue
        key = "first" if first else "change"
        lines.append(
            texts(
                key,
                lang,
                field=texts(change.field, lang),
                before=_value(change.field, change.before, lang),
                after=_value(change.field, change.after, lang),
            )
        )
    return lines or [texts("unchanged", lang)]


def since_approved(found: list[Change] | None, lang: str) -> str:
    """The block an approval request shows: what changed since the last approved version."""
    if found is None:
        return texts("since_approved", lang) + texts("never_approved", lang)
    return "\n".join([texts("since_approved", lang), *change_lines(found, lang)])


def version_lines(version: Version, lang: str, tz: ZoneInfo) -> list[str]:
    state = REVIEW_LABELS[version.state].get(lang, REVIEW_LABELS[version.state]["zh"])
    lines = [
        texts(
            "version_line",
            lang,
            version=version.version,
            at=when(version.submitted_at, tz),
            who=esc(version.reporter),
            state=state,
            current=texts("current", lang) if version.is_current else "",
        )
    ]
    lines += change_lines(version.changes, lang, first=version.version == 1)
    reviewer = esc(version.reviewer or "")
    if version.state == EntryState.APPROVED:
        lines.append(texts("approved_by", lang, who=reviewer, at=when(version.reviewed_at, tz)))
    elif version.state == EntryState.RETURNED:
        note = esc(shorten(version.review_note or "", TEXT_WIDTH)) or texts("empty", lang)
        lines.append(
            texts("returned_by", lang, who=reviewer, at=when(version.reviewed_at, tz), note=note)
        )
    return lines


def attachment_line(item: Attachment, lang: str, tz: ZoneInfo) -> str:
    """`文件 方案.pdf · 王五 · 04-03 10:00 · 第1版`: what, who, when, with which version."""
    what = kind_label(item.kind, lang) + (f" {esc(item.file_name)}" if item.file_name else "")
    version = f"第{item.version}版" if lang == "zh" else f"v{item.version}"
    return f"{what} · {esc(item.reporter)} · {when(item.at, tz)} · {version}"
