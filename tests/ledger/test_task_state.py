"""/tasks' states, one rule: from the current entry, a report being written, and the due time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.task_state import TaskState, task_state, task_state_label
from ledger.vocab import EntryState

DUE = datetime(2023, 4, 7, 16, 0, tzinfo=UTC)  # 2023-04-08 00:00 in Shanghai
BEFORE, AT = datetime(2023, 4, 7, 15, 59, tzinfo=UTC), DUE


@pytest.mark.parametrize(
    ("entry", "drafting", "now", "state"),
    [
        (None, False, BEFORE, TaskState.UNREPORTED),
        (None, False, AT, TaskState.OVERDUE),
        (None, True, BEFORE, TaskState.DRAFT),
        (None, True, AT, TaskState.DRAFT),
        (EntryState.DRAFT, False, BEFORE, TaskState.DRAFT),
        (EntryState.SUBMITTED, False, AT, TaskState.AWAITING),
        (EntryState.APPROVED, True, AT, TaskState.APPROVED),
        (EntryState.ACCEPTED, False, BEFORE, TaskState.COUNTED),
        (EntryState.RETURNED, True, AT, TaskState.RETURNED),
    ],
)
def test_task_states(
    entry: EntryState | None, drafting: bool, now: datetime, state: TaskState
) -> None:
    assert task_state(entry, drafting=drafting, due_at=DUE, now=now) == state


def test_every_state_has_both_labels() -> None:
    assert [task_state_label(s, "zh") for s in TaskState] == [
        "未报", "草稿", "待审定", "已审定", "已报", "退回", "逾期",
    ]  # fmt: skip
    assert task_state_label(TaskState.RETURNED, "en") == "returned"
