"""Supporting units' input (配合单位反馈): who owes it, when it is due, how it is scored."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ledger.obligations import Link, Owed, Pause, due_by_role, owed, support_due_at
from ledger.periods import Period
from ledger.scoring import Tally, Weights, score
from ledger.status import ObligationView, aggregate, totals
from ledger.timetable import DEFAULT_RULES, CalendarRules, ledger_schedule
from ledger.vocab import UnitRole

LEAD, SUPPORT, DATA = UnitRole.LEAD, UnitRole.SUPPORT, UnitRole.DATA
MARCH = Period(2023, 3)


def test_supporting_units_owe_an_input_when_the_plan_asks() -> None:
    links = [Link(1, 10, LEAD), Link(1, 11, SUPPORT), Link(1, 12, DATA)]
    assert owed(links, {}) == [Owed(1, 10, LEAD)]  # the plan does not ask: leads only
    assert owed(links, {}, support=True) == [Owed(1, 10, LEAD), Owed(1, 11, SUPPORT)]


def test_a_collective_support_passes_to_its_members_and_a_lead_never_also_supports() -> None:
    counties, yanjiang, anyue, lezhi = 100, 1, 2, 3
    links = [Link(5, 20, LEAD), Link(5, counties, SUPPORT), Link(5, anyue, LEAD)]
    found = owed(
        links, {counties: [yanjiang, anyue, lezhi]}, {lezhi: [Pause(date(2023, 4, 1))]},
        opens_on=date(2023, 4, 3), support=True,
    )  # fmt: skip
    # 安岳县 leads task 5 itself: it owes the lead report only; 乐至县 is paused.
    assert found == [Owed(5, yanjiang, SUPPORT, counties), Owed(5, anyue, LEAD), Owed(5, 20, LEAD)]


def test_the_support_input_is_due_two_working_days_before_the_lead() -> None:
    # March 2023 is asked on Monday 3 April and due when Friday 7 April ends. Two working days
    # before the 7th: Thursday the 6th, then Tuesday the 4th (Wednesday the 5th is 清明).
    schedule = ledger_schedule(MARCH)
    assert schedule.deadline == date(2023, 4, 7)
    assert support_due_at(MARCH) == datetime(2023, 4, 4, 16, 0, tzinfo=UTC)  # 5 April 00:00 +08
    assert due_by_role(MARCH) == {LEAD: schedule.due_at, SUPPORT: support_due_at(MARCH)}


def test_support_due_is_never_before_the_prompt_nor_after_the_lead() -> None:
    # Eight working days before 7 April is before the prompt: due when 3 April (the prompt) ends.
    early = CalendarRules(support_workdays_before=8)
    assert support_due_at(MARCH, early) == datetime(2023, 4, 3, 16, 0, tzinfo=UTC)
    # Zero: the same instant as the lead's.
    same = CalendarRules(support_workdays_before=0)
    assert support_due_at(MARCH, same) == ledger_schedule(MARCH, same).due_at
    with pytest.raises(ValueError, match="support_workdays_before"):
        CalendarRules(support_workdays_before=-1)


def test_status_counts_support_apart() -> None:
    now = datetime(2023, 4, 10, tzinfo=UTC)
    lead_due, support_due = due_by_role(MARCH, DEFAULT_RULES).values()
    counted = datetime(2023, 4, 4, 2, tzinfo=UTC)  # 10:00 on 4 April: on time for both
    views = [
        ObligationView(5, 5, "要点", 1, lead_due, counted, LEAD),
        ObligationView(8, 8, "要点", 1, support_due, counted, SUPPORT),
        ObligationView(9, 9, "要点", 1, support_due, None, SUPPORT),
    ]
    (unit,) = aggregate(views, {1: "市交通运输局"}, [], now=now)
    assert (unit.owed, unit.submitted, unit.support_owed, unit.support_submitted) == (3, 2, 2, 1)
    assert unit.role_of(8) == SUPPORT and unit.role_of(5) == LEAD and unit.role_of(7) is None
    t = totals([unit])
    assert (t.owed, t.support_owed, t.support_submitted, t.overdue) == (3, 2, 1, 1)


def test_the_scorecard_weighs_a_support_input_half_a_lead_report() -> None:
    weights = Weights.parse("support=0.5")
    assert weights.support == 0.5 and Weights().describe().endswith("support=0.5")
    tally = Tally()
    tally.add_report(reported=True, late=False, approved=True)  # lead, on time
    tally.add_report(reported=False, late=False, approved=False, weight=0.5, support=True)
    # owed 1.5, reported 1, on time 1, approved 1; no milestones.
    assert (tally.owed, tally.reported, tally.support_owed, tally.support_reported) == (
        1.5,
        1,
        1,
        0,
    )
    result = score(tally, weights)
    # 100 × (0.4 × 1/1.5 + 0.3 × 1/1.5 + 0.1 × 1/1) / (0.4 + 0.3 + 0.1) = 100 × 0.5667/0.8
    assert result.total == 70.8
    with pytest.raises(ValueError, match="support"):
        Weights.parse("support=2")
