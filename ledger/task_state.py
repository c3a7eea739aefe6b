"""Where one owed task stands for a contact this period, as /tasks shows it: 未报, 草稿, 待审定,
已审定, 已报 (counted without 审定), 退回 or 逾期 — from the current entry's state, whether a
report is being written, and the due instant; 已销号 (with the day) once the task is closed for
the unit, and 已延期至 (the new last day) beside the state when an extension was granted."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from ledger.entries import overdue
from ledger.vocab import EntryState


class TaskState(StrEnum):
    UNREPORTED = "unreported"
    DRAFT = "draft"
    AWAITING = "awaiting"
    APPROVED = "approved"
    COUNTED = "counted"
    RETURNED = "returned"
    OVERDUE = "overdue"
    CLOSED = "closed"


TASK_STATE_LABELS: dict[TaskState, dict[str, str]] = {
    TaskState.UNREPORTED: {"zh": "未报", "en": "not reported"},
    TaskState.DRAFT: {"zh": "草稿", "en": "draft"},
    TaskState.AWAITING: {"zh": "待审定", "en": "awaiting approval"},
    TaskState.APPROVED: {"zh": "已审定", "en": "approved"},
    TaskState.COUNTED: {"zh": "已报", "en": "reported"},
    TaskState.RETURNED: {"zh": "退回", "en": "returned"},
    TaskState.OVERDUE: {"zh": "逾期", "en": "overdue"},
    TaskState.CLOSED: {"zh": "已销号", "en": "closed"},
}
_CLOSED_ON = {"zh": "已销号（{day}）", "en": "closed ({day})"}
_EXTENDED = {"zh": "{state}，已延期至 {day}", "en": "{state}, extended to {day}"}

_BY_ENTRY = {
    EntryState.SUBMITTED: TaskState.AWAITING,
    EntryState.APPROVED: TaskState.APPROVED,
    EntryState.ACCEPTED: TaskState.COUNTED,
    EntryState.RETURNED: TaskState.RETURNED,
}


def task_state(
    entry: EntryState | None, *, drafting: bool, due_at: datetime, now: datetime,
    closed: bool = False,
) -> TaskState:  # fmt: skip
    """A closed task (销号) is 已销号; else a stored report decides (a returned one stays 退回
    until it is reported again); else a report being written is a 草稿; else nothing is there:
    逾期 once the due instant (moved by a granted extension) passed."""
    if closed:
        return TaskState.CLOSED
    if entry in _BY_ENTRY:
        return _BY_ENTRY[entry]
    if drafting or entry == EntryState.DRAFT:
        return TaskState.DRAFT
    return TaskState.OVERDUE if overdue(None, False, now, due_at) else TaskState.UNREPORTED


def task_state_label(
    state: TaskState, lang: str, *, closed_on: date | None = None,
    extended_until: date | None = None,
) -> str:  # fmt: skip
    """The state's label: 已销号（day） with the day it was closed; 已延期至 day after any other
    state when an extension moved the task's due date."""
    if state == TaskState.CLOSED and closed_on is not None:
        return _CLOSED_ON.get(lang, _CLOSED_ON["zh"]).format(day=closed_on.isoformat())
    label = TASK_STATE_LABELS[state].get(lang, TASK_STATE_LABELS[state]["zh"])
    if extended_until is None or state == TaskState.CLOSED:
        return label
    return _EXTENDED.get(lang, _EXTENDED["zh"]).format(state=label, day=extended_until.isoformat())
