"""The life of a progress entry and the one lateness rule.

* A submitted entry waits for 审定 when its unit has a bound principal (SUBMITTED), and counts at
  once when it has none (ACCEPTED: "未经审定（无审定人）", never shown as 已审定).
* A new version supersedes the current one; a version waiting for 审定 or a draft becomes
  SUPERSEDED, a counted or returned one keeps its state (history is never rewritten).
* Only a principal of the entry's unit reviews it, only while it is current and waiting, and
  never their own report.
* An obligation is late when its first *counted* submission came after its due instant; a later
  correction keeps that timing. A milestone answer is late against its own quarter's deadline.
* An approved extension (延期申请) moves one obligation's due instant to the end of the day it
  names; it can only move it later, and a request made after the deadline is allowed (it says so).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ledger.periods import Quarter
from ledger.timetable import CalendarRules, at_local, milestone_schedule, to_utc
from ledger.vocab import EntryState

COUNTED = frozenset({EntryState.APPROVED, EntryState.ACCEPTED})
WAITING = frozenset({EntryState.SUBMITTED})

REVIEW_LABELS: dict[EntryState, dict[str, str]] = {
    EntryState.APPROVED: {"zh": "已审定", "en": "approved"},
    EntryState.ACCEPTED: {"zh": "未经审定（无审定人）", "en": "not reviewed (no principal)"},
    EntryState.SUBMITTED: {"zh": "待审定", "en": "awaiting approval"},
    EntryState.RETURNED: {"zh": "退回修改", "en": "returned"},
    EntryState.DRAFT: {"zh": "草稿", "en": "draft"},
    EntryState.SUPERSEDED: {"zh": "已被新版本替代", "en": "superseded"},
}


def first_state(has_principal: bool) -> EntryState:
    """The state of a newly submitted version."""
    return EntryState.SUBMITTED if has_principal else EntryState.ACCEPTED


def after_superseded(state: EntryState) -> EntryState:
    """What a current version becomes when a newer one replaces it."""
    return EntryState.SUPERSEDED if state in (EntryState.SUBMITTED, EntryState.DRAFT) else state


def is_counted(state: EntryState) -> bool:
    return state in COUNTED


def review_refusal(
    *,
    entry_unit_id: int,
    state: EntryState,
    is_current: bool,
    reviewer_id: int,
    reporter_id: int | None,
    principal_of: Collection[int],
) -> str | None:
    """Why `reviewer_id` may not review this entry (a message key), or None when they may."""
    if entry_unit_id not in principal_of:
        return "not_your_entry"
    if not is_current or state not in WAITING:
        return "already_reviewed"
    if reporter_id is not None and reporter_id == reviewer_id:
        return "own_entry"
    return None


def is_late(submitted_at: datetime, due_at: datetime) -> bool:
    """A submission is late when it arrives at or after the due instant."""
    return to_utc(submitted_at) >= to_utc(due_at)


def first_counted(submissions: Iterable[tuple[EntryState, datetime | None]]) -> datetime | None:
    """The submission time of the earliest version that counted (approved or accepted)."""
    times = [to_utc(at) for state, at in submissions if at is not None and state in COUNTED]
    return min(times) if times else None


def obligation_late(counted_at: datetime | None, due_at: datetime) -> bool:
    """Late: the first counted submission came at or after the due instant."""
    return counted_at is not None and is_late(counted_at, due_at)


def overdue(counted_at: datetime | None, waiting: bool, now: datetime, due_at: datetime) -> bool:
    """Nothing counted and nothing waiting for 审定 once the due instant has passed."""
    return counted_at is None and not waiting and is_late(now, due_at)


def milestone_late(
    answered_at: datetime, quarter: Quarter, rules: CalendarRules, tz: ZoneInfo
) -> bool:
    """A quarter-end milestone answer is late after *its own* quarter's check deadline, whatever
    quarter it is answered in (a 2023Q1 answer on 2023-04-10 is late)."""
    return is_late(answered_at, milestone_schedule(quarter, rules, tz).due_at)


def extended_due_at(until: date, tz: ZoneInfo) -> datetime:
    """The due instant an extension to `until` (that day included) gives: midnight after it."""
    return at_local(until + timedelta(days=1), time(0), tz)


def extension_refusal(until: date, due_at: datetime, tz: ZoneInfo) -> str | None:
    """Why an extension to `until` cannot be asked for (a message key): it must end after the
    obligation's current due instant."""
    if to_utc(extended_due_at(until, tz)) <= to_utc(due_at):
        return "extend_not_later"
    return None


def after_deadline(at: datetime, due_at: datetime) -> bool:
    """A request made once the due instant has passed (allowed, but it says so)."""
    return is_late(at, due_at)
