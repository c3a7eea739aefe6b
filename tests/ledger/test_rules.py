"""Pure rules of issue 4: who owes what, the /report syntax, status aggregation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ledger.obligations import Link, Pause, owed_tasks, units_owing
from ledger.reports import ReportSyntaxError, clean_text, parse_report, parse_status
from ledger.status import EntryView, ObligationView, Snapshot, aggregate, totals
from ledger.vocab import EntryState, EntryStatus, UnitRole

LEAD, SUPPORT = UnitRole.LEAD, UnitRole.SUPPORT


def test_leads_owe_supports_do_not() -> None:
    owed = owed_tasks([Link(1, 10, LEAD), Link(1, 11, SUPPORT), Link(2, 10, LEAD)], {})
    assert owed == {10: {1, 2}}


def test_collective_lead_passes_to_members_and_paused_units_owe_nothing() -> None:
    counties, yanjiang, anyue, lezhi = 100, 1, 2, 3
    owed = owed_tasks(
        [Link(3, counties, LEAD), Link(4, counties, SUPPORT)],
        {counties: [yanjiang, anyue, lezhi]},
        {lezhi: [Pause(date(2023, 4, 1))]},
        opens_on=date(2023, 4, 3),
    )
    assert owed == {yanjiang: {3}, anyue: {3}}
    assert units_owing(3, owed) == [yanjiang, anyue]


def test_collective_without_members_keeps_its_obligation() -> None:
    assert owed_tasks([Link(7, 50, LEAD)], {50: []}) == {50: {7}}


@pytest.mark.parametrize(
    ("line", "number", "status", "text"),
    [
        ("5 序时推进 路基工程完成70%", 5, EntryStatus.ON_TRACK, "路基工程完成70%"),
        ("12 done bridge finished", 12, EntryStatus.DONE, "bridge finished"),
        ("3 滞后 受雨季影响\n下月追赶", 3, EntryStatus.BEHIND, "受雨季影响\n下月追赶"),
        ("7. not_started 待立项", 7, EntryStatus.NOT_STARTED, "待立项"),
        ("8 BEHIND x", 8, EntryStatus.BEHIND, "x"),
        ("第12项 序时推进 完成招标", 12, EntryStatus.ON_TRACK, "完成招标"),
        ("十二、已完成 验收通过", 12, EntryStatus.DONE, "验收通过"),
        ("任务3 滞后 雨季", 3, EntryStatus.BEHIND, "雨季"),
    ],
)
def test_report_lines(line: str, number: int, status: EntryStatus, text: str) -> None:
    parsed = parse_report(line)
    assert (parsed.task_number, parsed.status, parsed.text) == (number, status, text)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("", "report_usage"),
        ("5 序时推进", "report_usage"),
        ("甲 序时推进 内容", "report_bad_number"),
        ("0 done x", "report_bad_number"),
        ("5 差不多 内容", "report_bad_status"),
        ("5 done " + "字" * 3001, "report_too_long"),
    ],
)
def test_bad_report_lines_name_the_problem(line: str, key: str) -> None:
    with pytest.raises(ReportSyntaxError) as error:
        parse_report(line)
    assert error.value.key == key


def test_status_words_and_clean_text() -> None:
    assert parse_status("已完成") is EntryStatus.DONE
    assert parse_status("on-track") is EntryStatus.ON_TRACK
    assert parse_status("maybe") is None
    assert clean_text("  a\x00b  ") == "ab"


DUE = datetime(2023, 4, 7, 16, tzinfo=UTC)  # end of 2023-04-07 in Asia/Shanghai
NOW = datetime(2023, 4, 10, 1, tzinfo=UTC)  # after the deadline


def _owed(task: int, unit: int, counted: datetime | None = None) -> ObligationView:
    return ObligationView(task, task, "要点", unit, DUE, counted)


def _entry(task: int, unit: int, state: EntryState, late: bool = False) -> EntryView:
    return EntryView(
        task, task, unit, EntryStatus.ON_TRACK, state, "t", datetime(2023, 4, 3, tzinfo=UTC), late
    )


def test_aggregate_counts_counted_obligations_and_their_first_timing() -> None:
    on_time, late = datetime(2023, 4, 3, tzinfo=UTC), datetime(2023, 4, 9, tzinfo=UTC)
    owed = [_owed(10, 1, on_time), _owed(11, 1), _owed(12, 1), _owed(10, 2, late)]
    entries = [
        _entry(10, 1, EntryState.APPROVED),
        _entry(11, 1, EntryState.SUBMITTED),
        _entry(10, 2, EntryState.ACCEPTED, late=True),
    ]
    statuses = {
        s.unit_id: s
        for s in aggregate(
            owed, {1: "甲", 2: "乙"}, entries, now=NOW, snapshots={1: Snapshot(1, True)}
        )
    }
    one, two = statuses[1], statuses[2]
    # 甲 owes 3: task 10 counted on time, 11 waits for 审定, 12 missing and overdue.
    assert (one.owed, one.submitted, one.awaiting_approval, one.missing, one.overdue) == (
        3, 1, 1, 1, 1,
    )  # fmt: skip
    assert [o.task_id for o in one.missing_tasks()] == [12]
    assert [e.task_id for e in one.waiting_entries()] == [11]
    # 乙 counted late and has no bound contact (no snapshot).
    assert (two.submitted, two.late, two.complete, two.unbound) == (1, 1, True, True)
    t = totals(statuses.values())
    assert (t.owed, t.submitted, t.awaiting_approval, t.late, t.missing, t.overdue) == (
        4, 2, 1, 1, 1, 1,
    )  # fmt: skip
    assert (t.complete_units, t.overdue_units, t.unbound_units) == (1, 1, 1)


def test_nothing_is_overdue_before_the_deadline() -> None:
    before = datetime(2023, 4, 5, tzinfo=UTC)
    [unit] = aggregate([_owed(10, 1)], {1: "甲"}, [], now=before)
    assert (unit.missing, unit.overdue) == (1, 0)


def test_entries_of_units_owing_nothing_stay_visible() -> None:
    statuses = aggregate([], {5: "丙"}, [_entry(1, 5, EntryState.APPROVED)], now=NOW)
    assert [(s.unit, s.owed, s.submitted, len(s.entries)) for s in statuses] == [("丙", 0, 0, 1)]
