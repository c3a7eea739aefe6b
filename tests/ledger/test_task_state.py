"""/tasks' states, one rule: from the current entry, a report being written, and the due time."""

from __future__ import annotations

from datetime import UTC, date, datetime

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
        "未报", "草稿", "待审定", "已审定", "已报", "退回", "逾期", "已销号",
    ]  # fmt: skip
    assert task_state_label(TaskState.RETURNED, "en") == "returned"


def test_a_closed_task_is_closed_whatever_its_report() -> None:
    for entry in (None, EntryState.SUBMITTED, EntryState.APPROVED):
        assert task_state(entry, drafting=False, due_at=DUE, now=AT, closed=True) == (
            TaskState.CLOSED
        )


def test_closed_and_extended_labels_carry_their_day() -> None:
    closed = task_state_label(TaskState.CLOSED, "zh", closed_on=date(2023, 4, 10))
    assert closed == "已销号（2023-04-10）"
    assert task_state_label(TaskState.CLOSED, "en", closed_on=date(2023, 4, 10)) == (
        "closed (2023-04-10)"
    )
    extended = task_state_label(TaskState.UNREPORTED, "zh", extended_until=date(2023, 4, 14))
    assert extended == "未报，已延期至 2023-04-14"
    assert task_state_label(TaskState.AWAITING, "en", extended_until=date(2023, 4, 14)) == (
        "awaiting approval, extended to 2023-04-14"
    )
    # A closed task shows its closing only, even if it was extended before.
    assert task_state_label(TaskState.CLOSED, "zh", closed_on=date(2023, 4, 10),
                            extended_until=date(2023, 4, 14)) == "已销号（2023-04-10）"  # fmt: skip
