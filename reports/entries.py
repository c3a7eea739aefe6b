"""Every progress entry of a year as CSV or JSON, for other systems (all versions, each marked
current or not, with its plan's code since task numbers repeat across plans); times are ISO 8601
with their offset in the bureau's zone. `approved` is true only for a principal's 审定: an entry
counted without one (state `accepted`, 未经审定（无审定人）) is not approved."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ledger.vocab import EntryState
from reports.data import Entry

FIELDS = (
    "entry_id", "period", "plan", "task_number", "task", "unit", "unit_id", "version", "is_current",
    "state", "status", "progress", "problems", "next_steps", "reporter", "reporter_user_id",
    "submitted_at", "late", "approved", "reviewed_by", "reviewed_at", "review_note",
    "attachments",
)  # fmt: skip


def _time(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


def record(entry: Entry, tz: ZoneInfo) -> dict[str, Any]:
    """One entry as a flat JSON-ready mapping with the keys of FIELDS."""
    return {
        "entry_id": entry.id,
        "period": entry.period,
        "plan": entry.plan_code,
        "task_number": entry.task_number,
        "task": entry.task_text,
        "unit": entry.unit.name,
        "unit_id": entry.unit.id,
        "version": entry.version,
        "is_current": entry.is_current,
        "state": entry.state.value,
        "status": entry.status.value,
        "progress": entry.progress,
        "problems": entry.problems,
        "next_steps": entry.next_steps,
        "reporter": entry.reporter,
        "reporter_user_id": entry.reporter_user_id,
        "submitted_at": _time(entry.submitted_at, tz),
        "late": entry.late,
        "approved": entry.state == EntryState.APPROVED,  # a principal's 审定, not "counted"
        "reviewed_by": entry.reviewed_by,
        "reviewed_at": _time(entry.reviewed_at, tz),
        "review_note": entry.review_note,
        "attachments": [
            {"kind": a.kind, "file_name": a.file_name, "reporter": a.reporter,
             "at": _time(a.at, tz)}
            for a in entry.attachments
        ],
    }  # fmt: skip


def entries_json(entries: Iterable[Entry], tz: ZoneInfo) -> str:
    return json.dumps([record(e, tz) for e in entries], ensure_ascii=False, indent=1) + "\n"


def entries_csv(entries: Iterable[Entry], tz: ZoneInfo) -> str:
    """CSV with a header row; the caller writes it as UTF-8 with BOM so Excel reads the 汉字."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        row = record(entry, tz)
        row["attachments"] = "；".join(a.describe(tz) for a in entry.attachments)
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()
