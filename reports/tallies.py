"""Per-unit tallies over ledgers and milestone checks, shared by the bulletin and the scorecard.

Only owed reports count (a report on a task the unit does not owe is shown in the ledger but
neither helps nor hurts); see ledger.scoring for what each count means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ledger.scoring import Tally
from ledger.vocab import EntryState, MilestoneOutcome
from reports.data import Entry, MilestoneCheck, PeriodLedger, TaskInfo, UnitRef

OUTCOME_LABELS: dict[MilestoneOutcome | None, str] = {
    MilestoneOutcome.MET: "已完成",
    MilestoneOutcome.PARTLY: "部分完成",
    MilestoneOutcome.NOT_MET: "未完成",
    None: "未答复",
}


@dataclass(frozen=True)
class Obligation:
    """One owed report and what came of it: on time, late, missing (or returned)."""

    period: str
    task: TaskInfo
    unit: UnitRef
    entry: Entry | None

    @property
    def reported(self) -> bool:
        return self.entry is not None and self.entry.reported

    @property
    def late(self) -> bool:
        return self.reported and self.entry is not None and self.entry.late

    @property
    def approved(self) -> bool:
        return self.reported and self.entry is not None and self.entry.state == EntryState.APPROVED

    @property
    def outcome(self) -> str:
        """按时 / 逾期 / 未报, with 待审定 or 退回 where that applies."""
        if self.entry is not None and self.entry.state == EntryState.RETURNED:
            return "退回未重报"
        if not self.reported:
            return "未报"
        text = "逾期" if self.late else "按时"
        return text if self.approved else f"{text}（待审定）"


def obligations(ledgers: Iterable[PeriodLedger]) -> list[Obligation]:
    """Every owed report of the ledgers, in period, task and lead order."""
    found = []
    for ledger in ledgers:
        for task in ledger.tasks:
            for unit in ledger.owing.get(task.id, []):
                entry = ledger.entries.get((task.id, unit.id))
                found.append(Obligation(ledger.period.key, task, unit, entry))
    return found


def tally(
    owed: Iterable[Obligation], checks: Iterable[MilestoneCheck] = ()
) -> dict[UnitRef, Tally]:
    """unit → Tally of its reports and milestone answers."""
    tallies: dict[UnitRef, Tally] = {}
    for item in owed:
        tallies.setdefault(item.unit, Tally()).add_report(
            reported=item.reported, late=item.late, approved=item.approved
        )
    for check in checks:
        for unit, (outcome, _) in check.answers.items():
            tallies.setdefault(unit, Tally()).add_milestone(outcome)
    return tallies


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
