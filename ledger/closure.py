"""销号: closing a finished task for its lead unit ("对账销号").

The lead unit asks once its current report on the task says 已完成; its principal approves (a
unit without a bound principal goes straight to the bureau); staff confirm 确认销号 or send it
back. A task closed on day D is no longer owed by that unit in periods opening after D (the
period it was closed in keeps what it owed); staff can reopen it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ledger.vocab import ClosureState, EntryStatus, UnitRole

OPEN_STATES = frozenset({ClosureState.AWAITING_PRINCIPAL, ClosureState.AWAITING_STAFF})


def close_refusal(
    *, role: UnitRole | None, status: EntryStatus | None, state: ClosureState | None
) -> str | None:
    """Why the unit may not ask to close the task now (a message key), or None. `state` is the
    task's latest closure for the unit, if any."""
    if role != UnitRole.LEAD:
        return "close_not_lead"
    if state == ClosureState.CLOSED:
        return "close_already"
    if state in OPEN_STATES:
        return "close_pending"
    if status != EntryStatus.DONE:
        return "close_not_done"
    return None


def first_state(has_principal: bool) -> ClosureState:
    return ClosureState.AWAITING_PRINCIPAL if has_principal else ClosureState.AWAITING_STAFF


def after_decision(state: ClosureState, *, by_staff: bool, approve: bool) -> ClosureState | None:
    """The next state when the principal (`by_staff` False) or staff decide; None when it is
    not theirs to decide now (already decided, or the other step)."""
    expected = ClosureState.AWAITING_STAFF if by_staff else ClosureState.AWAITING_PRINCIPAL
    if state != expected:
        return None
    if not approve:
        return ClosureState.RETURNED
    return ClosureState.CLOSED if by_staff else ClosureState.AWAITING_STAFF


def closed_before(
    closed: Mapping[tuple[int, int], date], task_id: int, unit_id: int, opens_on: date
) -> bool:
    """True when the unit's task was closed before a period opening on `opens_on`."""
    day = closed.get((task_id, unit_id))
    return day is not None and day < opens_on
