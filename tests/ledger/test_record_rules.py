"""Pure rules of the ledger of record: plan windows and codes, task references, pauses, the
entry lifecycle and the one lateness rule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ledger.entries import (
    after_superseded,
    first_counted,
    first_state,
    milestone_late,
    obligation_late,
    overdue,
    review_refusal,
)
from ledger.obligations import Link, Owed, Pause, is_paused, owed
from ledger.periods import Period, Quarter
from ledger.plans import (
    PlanRuleError,
    TaskRef,
    Window,
    check_code,
    default_code,
    parse_task_ref,
    plan_window,
)
from ledger.timetable import DEFAULT_RULES
from ledger.vocab import EntryState, UnitRole

SH = ZoneInfo("Asia/Shanghai")
LEAD, SUPPORT = UnitRole.LEAD, UnitRole.SUPPORT


@pytest.mark.parametrize(
    ("issued", "first", "last", "expected"),
    [
        (date(2023, 3, 7), None, None, ("2023-03", "2023-12")),  # 发布时间 in the plan's year
        (None, None, None, ("2023-01", "2023-12")),  # no date of its own
        (date(2022, 12, 28), None, None, ("2023-01", "2023-12")),  # issued the year before
        (date(2023, 3, 7), "2023-05", None, ("2023-05", "2023-12")),  # --from wins
        (None, None, "2024-06", ("2023-01", "2024-06")),  # a plan running into next year
    ],
)
def test_plan_window(
    issued: date | None, first: str | None, last: str | None, expected: tuple[str, str]
) -> None:
    window = plan_window(2023, issued_on=issued, first=first, last=last)
    assert (window.first.key, window.last.key) == expected


def test_window_edges_and_errors() -> None:
    window = Window(Period(2023, 3), Period(2023, 5))
    assert [window.covers(Period(2023, m)) for m in (2, 3, 5, 6)] == [False, True, True, False]
    assert [p.key for p in window.periods()] == ["2023-03", "2023-04", "2023-05"]
    with pytest.raises(PlanRuleError, match="starts"):
        plan_window(2023, first="2023-09", last="2023-02")
    with pytest.raises(PlanRuleError, match="YYYY-MM"):
        plan_window(2023, first="2023/03")


@pytest.mark.parametrize(
    ("title", "taken", "code"),
    [
        ("成资同城化发展2023年工作要点", (), "工作要点"),
        ("成资同城化发展2023年工作要点", ("工作要点",), "工作要点2"),
        ("2021年成德眉资同城化十件大事", (), "成德眉资同城化十件大事"),
        ("《成资同城化发展五年行动计划(2018—2022年)》", (), "成资同城化发展五年行动计划"),
        ("2023年度", (), "2023年度"),
    ],
)
def test_default_code(title: str, taken: tuple[str, ...], code: str) -> None:
    assert default_code(title, taken) == code


def test_check_code() -> None:
    assert check_code(" 要点 ") == "要点"
    for bad in ("", "a b", "要/点", "123", "x" * 17):
        with pytest.raises(PlanRuleError):
            check_code(bad)


@pytest.mark.parametrize(
    ("word", "ref"),
    [
        ("5", TaskRef(5)),
        ("12.", TaskRef(12)),
        ("12、", TaskRef(12)),
        ("#7", TaskRef(7)),
        ("要点/5", TaskRef(5, "要点")),
        ("十件大事／41", TaskRef(41, "十件大事")),
        ("0", None),
        ("要点/0", None),
        ("五", TaskRef(5)),
        ("第12项", TaskRef(12)),
        ("/5", None),
    ],
)
def test_task_references(word: str, ref: TaskRef | None) -> None:
    assert parse_task_ref(word) == ref


def test_pauses_cover_days_both_ends_included() -> None:
    summer = Pause(date(2023, 7, 1), date(2023, 9, 30))
    assert [summer.covers(date(2023, m, d)) for m, d in ((6, 30), (7, 1), (9, 30), (10, 1))] == [
        False, True, True, False,
    ]  # fmt: skip
    assert is_paused([Pause(date(2023, 7, 1))], date(2030, 1, 1))


def test_owed_with_pauses_and_a_unit_named_twice() -> None:
    counties, yanjiang, anyue = 100, 1, 2
    links = [Link(3, counties, LEAD), Link(3, anyue, LEAD), Link(4, anyue, SUPPORT)]
    members = {counties: [yanjiang, anyue]}
    found = owed(links, members, {yanjiang: [Pause(date(2023, 7, 1))]}, opens_on=date(2023, 7, 3))
    # 安岳县 is named itself and through 各县(区): one obligation, "named itself".
    assert found == [Owed(3, anyue, LEAD, None)]
    before = owed(links, members, {yanjiang: [Pause(date(2023, 7, 1))]}, opens_on=date(2023, 6, 1))
    assert before == [Owed(3, yanjiang, LEAD, counties), Owed(3, anyue, LEAD, None)]


def test_entry_lifecycle() -> None:
    assert first_state(True) is EntryState.SUBMITTED
    assert first_state(False) is EntryState.ACCEPTED
    assert [after_superseded(s) for s in EntryState] == [
        EntryState.SUPERSEDED,  # draft
        EntryState.SUPERSEDED,  # submitted: its review is moot
        EntryState.APPROVED,  # history is never rewritten
        EntryState.ACCEPTED,
        EntryState.RETURNED,
        EntryState.SUPERSEDED,
    ]


@pytest.mark.parametrize(
    ("unit", "state", "current", "reviewer", "reporter", "refusal"),
    [
        (1, EntryState.SUBMITTED, True, 9, 5, None),
        (2, EntryState.SUBMITTED, True, 9, 5, "not_your_entry"),
        (1, EntryState.APPROVED, True, 9, 5, "already_reviewed"),
        (1, EntryState.SUBMITTED, False, 9, 5, "already_reviewed"),
        (1, EntryState.SUBMITTED, True, 9, 9, "own_entry"),
    ],
)
def test_who_may_review(
    unit: int, state: EntryState, current: bool, reviewer: int, reporter: int, refusal: str | None
) -> None:
    assert (
        review_refusal(
            entry_unit_id=unit,
            state=state,
            is_current=current,
            reviewer_id=reviewer,
            reporter_id=reporter,
            principal_of={1},
        )
        == refusal
    )


def test_lateness_is_the_first_counted_submission() -> None:
    due = datetime(2023, 4, 8, tzinfo=SH)  # the end of 2023-04-07
    on_time, late = datetime(2023, 4, 3, 10, tzinfo=SH), datetime(2023, 4, 12, 10, tzinfo=SH)
    history = [(EntryState.APPROVED, on_time), (EntryState.APPROVED, late)]
    assert first_counted(history) == on_time and not obligation_late(first_counted(history), due)
    returned_then_late = [(EntryState.RETURNED, on_time), (EntryState.ACCEPTED, late)]
    assert obligation_late(first_counted(returned_then_late), due)
    assert first_counted([(EntryState.SUBMITTED, on_time)]) is None
    assert obligation_late(due, due)  # the due instant itself is already late
    now = datetime(2023, 4, 10, tzinfo=SH)
    assert overdue(None, False, now, due) and not overdue(None, True, now, due)
    assert not overdue(None, False, datetime(2023, 4, 7, 23, tzinfo=SH), due)


def test_milestone_answer_late_against_its_own_quarter() -> None:
    q1 = Quarter(2023, 1)  # check due at the end of 2023-03-31 (a Friday)
    assert not milestone_late(datetime(2023, 3, 31, 18, tzinfo=SH), q1, DEFAULT_RULES, SH)
    assert milestone_late(datetime(2023, 4, 10, 10, tzinfo=SH), q1, DEFAULT_RULES, SH)
    assert not milestone_late(datetime(2023, 4, 10, 10, tzinfo=SH), Quarter(2023, 2),
                              DEFAULT_RULES, SH)  # fmt: skip
