"""销号: who may ask, the two approvals, and a closed task no longer owed afterwards."""

from __future__ import annotations

from datetime import date

from ledger.closure import after_decision, close_refusal, closed_before, first_state
from ledger.obligations import Link, Owed, owed
from ledger.vocab import ClosureState, EntryStatus, UnitRole

LEAD, SUPPORT = UnitRole.LEAD, UnitRole.SUPPORT
DONE, ON_TRACK = EntryStatus.DONE, EntryStatus.ON_TRACK
S = ClosureState


def test_only_the_lead_with_a_done_report_and_nothing_under_way_may_ask() -> None:
    assert close_refusal(role=LEAD, status=DONE, state=None) is None
    assert close_refusal(role=LEAD, status=DONE, state=S.RETURNED) is None  # may ask again
    assert close_refusal(role=LEAD, status=DONE, state=S.REOPENED) is None
    assert close_refusal(role=SUPPORT, status=DONE, state=None) == "close_not_lead"
    assert close_refusal(role=None, status=DONE, state=None) == "close_not_lead"
    assert close_refusal(role=LEAD, status=ON_TRACK, state=None) == "close_not_done"
    assert close_refusal(role=LEAD, status=None, state=None) == "close_not_done"
    assert close_refusal(role=LEAD, status=DONE, state=S.AWAITING_STAFF) == "close_pending"
    assert close_refusal(role=LEAD, status=DONE, state=S.CLOSED) == "close_already"


def test_principal_then_staff() -> None:
    assert first_state(True) is S.AWAITING_PRINCIPAL and first_state(False) is S.AWAITING_STAFF
    assert after_decision(S.AWAITING_PRINCIPAL, by_staff=False, approve=True) is S.AWAITING_STAFF
    assert after_decision(S.AWAITING_PRINCIPAL, by_staff=False, approve=False) is S.RETURNED
    assert after_decision(S.AWAITING_STAFF, by_staff=True, approve=True) is S.CLOSED
    assert after_decision(S.AWAITING_STAFF, by_staff=True, approve=False) is S.RETURNED
    # Not theirs now, or decided already (a duplicate press).
    assert after_decision(S.AWAITING_PRINCIPAL, by_staff=True, approve=True) is None
    assert after_decision(S.AWAITING_STAFF, by_staff=False, approve=True) is None
    assert after_decision(S.CLOSED, by_staff=True, approve=True) is None


def test_a_closed_task_is_not_owed_by_that_unit_in_periods_opening_after() -> None:
    closed = {(5, 10): date(2023, 4, 10)}
    assert closed_before(closed, 5, 10, date(2023, 5, 4))
    assert not closed_before(closed, 5, 10, date(2023, 4, 10))  # the period it closed in
    links = [Link(5, 10, LEAD), Link(5, 11, LEAD), Link(6, 10, LEAD)]
    may = owed(links, {}, opens_on=date(2023, 5, 4), closed=closed)
    assert may == [Owed(5, 11, LEAD), Owed(6, 10, LEAD)]  # the co-lead still owes task 5
    april = owed(links, {}, opens_on=date(2023, 4, 3), closed=closed)
    assert Owed(5, 10, LEAD) in april
