"""Pure rules of issue 4: who owes what, the /report syntax, status aggregation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.obligations import Link, owed_tasks, units_owing
from ledger.reports import ReportSyntaxError, clean_text, parse_report, parse_status
from ledger.status import EntryView, aggregate, totals
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
        paused=[lezhi],
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
        ("五 序时推进 内容", "report_bad_number"),
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


def _entry(task: int, unit: int, state: EntryState, late: bool = False) -> EntryView:
    return EntryView(
        task, task, unit, EntryStatus.ON_TRACK, state, "t", datetime(2023, 4, 3, tzinfo=UTC), late
    )


def test_aggregate_counts_only_approved_as_submitted() -> None:
    owed = {1: {10, 11, 12}, 2: {10}}
    entries = [
        _entry(10, 1, EntryState.APPROVED),
        _entry(11, 1, EntryState.SUBMITTED),
        _entry(10, 2, EntryState.APPROVED, late=True),
    ]
    statuses = {s.unit_id: s for s in aggregate(owed, {1: "甲", 2: "乙"}, entries)}
    one, two = statuses[1], statuses[2]
    assert (one.owed, one.submitted, one.awaiting_approval, one.missing) == (3, 1, 1, 1)
    assert (two.submitted, two.late, two.complete) == (1, 1, True)
    t = totals(statuses.values())
    assert (t.owed, t.submitted, t.awaiting_approval, t.late, t.missing, t.complete_units) == (
        4,
        2,
        1,
        1,
        1,
        1,
    )


def test_entries_of_units_owing_nothing_stay_visible() -> None:
    statuses = aggregate({}, {5: "丙"}, [_entry(1, 5, EntryState.APPROVED)])
    assert [(s.unit, s.owed, s.submitted) for s in statuses] == [("丙", 0, 1)]
