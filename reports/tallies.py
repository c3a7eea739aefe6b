"""Per-unit tallies over ledgers and milestone checks, shared by the bulletin and the scorecard.

Only owed reports count (a report on a task the unit does not owe is shown in the ledger but
neither helps nor hurts); see ledger.scoring for what each count means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ledger.entries import REVIEW_LABELS
from ledger.scoring import Tally
from ledger.vocab import EntryState, MilestoneOutcome
from reports.data import (
    NO_PLAN,
    Entry,
    MilestoneCheck,
    PeriodLedger,
    PlanInfo,
    Record,
    TaskInfo,
    UnitRef,
)

OUTCOME_LABELS: dict[MilestoneOutcome | None, str] = {
    MilestoneOutcome.MET: "已完成",
    MilestoneOutcome.PARTLY: "部分完成",
    MilestoneOutcome.NOT_MET: "未完成",
    None: "未答复",
}


@dataclass(frozen=True)
class Obligation:
    """One owed report and what came of it: on time, late, missing (or returned).

    Timing comes from the ledger of record: the first counted submission decides lateness, so a
    later correction never makes an on-time report late."""

    period: str
    task: TaskInfo
    unit: UnitRef
    entry: Entry | None
    record: Record | None = None
    plan: PlanInfo = NO_PLAN
    support: bool = False  # a supporting unit's input (配合单位反馈), counted apart

    @property
    def counted(self) -> bool:
        return self.record is not None and self.record.counted_at is not None

    @property
    def waiting(self) -> bool:
        return self.entry is not None and self.entry.state == EntryState.SUBMITTED

    @property
    def reported(self) -> bool:
        """Counted, or submitted and waiting for 审定."""
        if self.record is None:  # no record: judge by the current entry alone
            return self.entry is not None and self.entry.reported
        return self.counted or self.waiting

    @property
    def late(self) -> bool:
        if self.counted:
            return self.record is not None and self.record.late
        return self.reported and self.entry is not None and self.entry.late

    @property
    def approved(self) -> bool:
        """Approved by a principal: an entry counted without one is not."""
        if self.record is not None:
            return self.reported and self.record.approved
        return self.reported and self.entry is not None and self.entry.state == EntryState.APPROVED

    @property
    def unbound(self) -> bool:
        return self.record is not None and self.record.contacts == 0

    @property
    def timed_at(self) -> datetime | None:
        """The submission its timing is judged by: the first counted one, else the current."""
        if self.counted and self.record is not None:
            return self.record.counted_at
        return self.entry.submitted_at if self.reported and self.entry is not None else None

    @property
    def outcome(self) -> str:
        """按时 / 逾期 / 未报 (未绑定: nobody could be prompted) / 退回未重报."""
        if not self.reported and self.entry is not None and self.entry.state == EntryState.RETURNED:
            return "退回未重报"
        if not self.reported:
            return "未报（未绑定）" if self.unbound else "未报"
        return "逾期" if self.late else "按时"

    @property
    def review(self) -> str:
        """已审定 only when a principal approved; counted without one: 未经审定（无审定人）;
        else 待审定 or 退回修改 (ledger.entries.REVIEW_LABELS); "" when nothing was reported."""
        if self.approved:
            state = EntryState.APPROVED
        elif self.counted or (self.reported and self.entry is not None and not self.waiting):
            state = EntryState.ACCEPTED
        elif self.waiting:
            state = EntryState.SUBMITTED
        elif self.entry is not None and self.entry.state == EntryState.RETURNED:
            state = EntryState.RETURNED
        else:
            return ""
        return REVIEW_LABELS[state]["zh"]


def obligations(ledgers: Iterable[PeriodLedger], *, support: bool = True) -> list[Obligation]:
    """Every owed report of the ledgers, in period, task and lead order, each task's supporting
    units' inputs after its leads (only the leads' without `support`)."""
    found = []
    for ledger in ledgers:
        plan = ledger.plan
        for task in ledger.tasks:
            owing = [(u, False) for u in ledger.owing.get(task.id, [])]
            owing += [(u, True) for u in ledger.supporting.get(task.id, [])] if support else []
            for unit, supporting in owing:
                key = (task.id, unit.id)
                found.append(
                    Obligation(
                        ledger.period.key, task, unit, ledger.entries.get(key),
                        ledger.records.get(key), plan, supporting,
                    )
                )  # fmt: skip
    return found


def tally(
    owed: Iterable[Obligation], checks: Iterable[MilestoneCheck] = (), *, support_weight: float = 1
) -> dict[UnitRef, Tally]:
    """unit → Tally of its reports and milestone answers; a supporting unit's input weighs
    `support_weight` of a lead report (its count is kept apart too)."""
    tallies: dict[UnitRef, Tally] = {}
    for item in owed:
        tallies.setdefault(item.unit, Tally()).add_report(
            reported=item.reported, late=item.late, approved=item.approved,
            weight=support_weight if item.support else 1, support=item.support,
        )  # fmt: skip
    for check in checks:
        for unit, (outcome, _) in check.answers.items():
            tallies.setdefault(unit, Tally()).add_milestone(outcome)
    return tallies


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
