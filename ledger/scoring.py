"""The yearly scorecard formula (年考评): rates per unit, weighted into one score out of 100.

Counted per unit over the periods of the year whose deadline has passed:

* owed        — tasks the unit owed a report on, summed over those periods;
* reported    — owed reports with a current entry that was submitted (approved or awaiting 审定);
                returned or draft entries do not count;
* on time     — reported before the period's deadline (the entry's late flag is not set);
* approved    — reported and approved by the unit's principal (审定);
* milestones  — quarter-end targets of the tasks it owes: met counts 1, partly `partly` (0.5 by
                default), not met and not answered 0.

    completeness   = reported / owed
    on_time_rate   = on_time / owed
    approval_rate  = approved / reported
    milestone_rate = (met + partly × partly_credit) / milestones due

    score = 100 × Σ wᵢ·rateᵢ / Σ wᵢ, over the rates whose denominator is not 0

so a unit with nothing reported is not punished twice through the approval rate, and a unit that
owes no milestone is scored on the rest. Weights come from LEDGERBOT_SCORE_WEIGHTS, e.g.
"on_time=0.4,completeness=0.3,approval=0.1,milestones=0.2,partly=0.5,support=0.5" (the
defaults). A support obligation (配合单位反馈) counts `support` of a lead one in owed, reported, on
time and approved; the counts are kept apart too (`support_owed`, `support_reported`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

from ledger.vocab import MilestoneOutcome


@dataclass(frozen=True)
class Weights:
    """Weights of the four rates (any non-negative numbers; they are normalised) and the credit
    a partly met milestone earns (0..1)."""

    on_time: float = 0.4
    completeness: float = 0.3
    approval: float = 0.1
    milestones: float = 0.2
    partly: float = 0.5
    support: float = 0.5  # a supporting unit's input counts this much of a lead report

    def __post_init__(self) -> None:
        if min(self.on_time, self.completeness, self.approval, self.milestones) < 0:
            raise ValueError("score weights must not be negative")
        if self.on_time + self.completeness + self.approval + self.milestones <= 0:
            raise ValueError("at least one score weight must be positive")
        if not 0 <= self.partly <= 1:
            raise ValueError("partly (the credit of a partly met milestone) must be in 0..1")
        if not 0 <= self.support <= 1:
            raise ValueError("support (the weight of a support obligation) must be in 0..1")

    @classmethod
    def parse(cls, text: str) -> Weights:
        """Read "on_time=0.4, completeness=0.3, …"; names not given keep their defaults."""
        known = {f.name for f in fields(cls)}
        values: dict[str, float] = {}
        for part in text.replace(";", ",").split(","):
            if not part.strip():
                continue
            name, sep, number = part.partition("=")
            name = name.strip()
            if not sep or name not in known:
                raise ValueError(
                    f"bad score weight {part.strip()!r}: use name=number, names "
                    f"{', '.join(sorted(known))}"
                )
            try:
                values[name] = float(number)
            except ValueError as exc:
                raise ValueError(f"bad number in score weight {part.strip()!r}") from exc
        return replace(cls(), **values)

    def describe(self) -> str:
        return ",".join(f"{f.name}={getattr(self, f.name):g}" for f in fields(self))


@dataclass
class Tally:
    """What one unit owed and did over the counted periods and quarters."""

    owed: float = 0
    reported: float = 0
    on_time: float = 0
    approved: float = 0
    outcomes: dict[MilestoneOutcome | None, int] = field(default_factory=dict)
    support_owed: int = 0  # the support obligations among the above, counted one each
    support_reported: int = 0

    def add_report(
        self, *, reported: bool, late: bool, approved: bool, weight: float = 1,
        support: bool = False,
    ) -> None:  # fmt: skip
        """One owed report (`weight` of one: a support obligation weighs less); `reported` means
        a current submitted or approved entry exists."""
        self.owed += weight
        self.support_owed += support
        if reported:
            self.reported += weight
            self.on_time += weight * (not late)
            self.approved += weight * approved
            self.support_reported += support

    def add_milestone(self, outcome: MilestoneOutcome | None) -> None:
        """One milestone due; None means it was not answered."""
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    @property
    def late(self) -> float:
        return self.reported - self.on_time

    @property
    def missing(self) -> float:
        return self.owed - self.reported

    @property
    def milestones_due(self) -> int:
        return sum(self.outcomes.values())

    def outcome(self, outcome: MilestoneOutcome | None) -> int:
        return self.outcomes.get(outcome, 0)


def _rate(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Score:
    completeness: float | None
    on_time_rate: float | None
    approval_rate: float | None
    milestone_rate: float | None
    total: float | None  # 0..100, None when the unit owed nothing at all


def score(tally: Tally, weights: Weights) -> Score:
    """Apply the formula in the module docstring."""
    points = tally.outcome(MilestoneOutcome.MET) + weights.partly * tally.outcome(
        MilestoneOutcome.PARTLY
    )
    rates = (
        (_rate(tally.on_time, tally.owed), weights.on_time),
        (_rate(tally.reported, tally.owed), weights.completeness),
        (_rate(tally.approved, tally.reported), weights.approval),
        (_rate(points, tally.milestones_due), weights.milestones),
    )
    counted = [(rate, weight) for rate, weight in rates if rate is not None]
    total_weight = sum(weight for _, weight in counted)
    total = (
        round(100 * sum(rate * weight for rate, weight in counted) / total_weight, 1)
        if counted and total_weight > 0
        else None
    )
    return Score(
        completeness=rates[1][0],
        on_time_rate=rates[0][0],
        approval_rate=rates[2][0],
        milestone_rate=rates[3][0],
        total=total,
    )


def ranked(scores: Iterable[tuple[str, Score]]) -> list[tuple[int, str, Score]]:
    """Highest total first (units without a score last), ties share a rank, then by name."""
    rows = sorted(scores, key=lambda item: (item[1].total is None, -(item[1].total or 0), item[0]))
    result: list[tuple[int, str, Score]] = []
    for index, (name, value) in enumerate(rows):
        same = result and result[-1][2].total == value.total
        result.append((result[-1][0] if same else index + 1, name, value))
    return result
