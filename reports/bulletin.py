"""The quarterly bulletin (季通报): what it says, decided once for both layouts.

Per plan (its title on top): milestone results (已完成 / 部分完成 / 未完成 / 未答复), late and
missing submissions by name, tasks reported 滞后 with their progress and stated problems. Over
all plans together: the summary, the punctuality ranking (a unit is ranked once, over every plan
it owes under) and the units nobody could be prompted in (未绑定: no bound contact when the
period opened), which are listed apart, never as 未报送 lapses. Only periods whose deadline had
passed at `QuarterData.as_of` are counted.

`build` decides the content and every label and sentence; `reports.bulletin_xlsx` and
`reports.bulletin_docx` only lay it out, so both say the same text under the same labels.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from ledger.entries import REVIEW_LABELS
from ledger.scoring import Tally
from ledger.vocab import EntryStatus, MilestoneOutcome
from reports.bulletin_duban import extension_line, support_line, urge_line
from reports.bulletin_words import LAPSE_HEADERS, brief, numbers
from reports.data import (
    NO_PLAN,
    Entry,
    Extended,
    MilestoneCheck,
    PlanInfo,
    QuarterData,
    UnitRef,
)
from reports.tallies import OUTCOME_LABELS, Obligation, obligations, tally


@dataclass(frozen=True)
class Ranked:
    rank: int
    unit: UnitRef
    tally: Tally

    @property
    def on_time_rate(self) -> float | None:
        return self.tally.on_time / self.tally.owed if self.tally.owed else None

    def cells(self) -> tuple[object, ...]:
        t = self.tally
        return (self.rank, self.unit.name, t.owed, t.on_time, t.late, t.missing)


@dataclass(frozen=True)
class Lapse:
    period: str
    unit: UnitRef
    late: list[int]  # task numbers reported late
    missing: list[int]  # task numbers not reported (or returned and not re-sent), unit bound

    def cells(self) -> tuple[str, str, str, str]:
        late, missing = (numbers([str(n) for n in x]) for x in (self.late, self.missing))
        return (self.period, self.unit.name, late, missing)

    def sentence(self) -> str:
        """ "2023-04：市水务局，逾期报送任务3；未报送任务8。" — the labels are LAPSE_HEADERS'."""
        period, unit, late, missing = self.cells()
        parts = [f"{label}{value}" for label, value in zip(LAPSE_HEADERS[2:], (late, missing),
                                                            strict=True) if value]  # fmt: skip
        return f"{period}：{unit}，{'；'.join(parts)}。"


@dataclass(frozen=True)
class Unbound:
    """A unit that had no bound contact when the period opened and did not report."""

    period: str
    unit: UnitRef
    tasks: list[str]  # task numbers, with the plan's code when the bulletin covers several

    def cells(self) -> tuple[str, str, str]:
        return (self.period, self.unit.name, numbers(self.tasks))


def behind_cells(entry: Entry) -> tuple[object, ...]:
    """A 滞后 report under BEHIND_HEADERS, in both layouts."""
    return (entry.task_number, brief(entry.task_text), entry.unit.name, entry.period,
            entry.progress, entry.problems or "", REVIEW_LABELS[entry.state]["zh"])  # fmt: skip


def milestone_cells(check: MilestoneCheck, unit: UnitRef, outcome: MilestoneOutcome | None,
                    explanation: str) -> tuple[object, ...]:  # fmt: skip
    return (check.task.number, brief(check.task.text), unit.name, check.target,
            OUTCOME_LABELS[outcome], explanation)  # fmt: skip


@dataclass(frozen=True)
class PlanPart:
    """What the bulletin says about one plan."""

    plan: PlanInfo
    milestones: list[MilestoneCheck] = field(default_factory=list)
    lapses: list[Lapse] = field(default_factory=list)
    behind: list[Entry] = field(default_factory=list)  # latest 滞后 report per (task, unit)


@dataclass(frozen=True)
class Bulletin:
    title: str
    quarter: str
    plans: list[PlanInfo]
    parts: list[PlanPart]  # one per plan, in plan order
    ranking: list[Ranked]
    unbound: list[Unbound]
    summary: list[str]  # the 总体情况 paragraphs
    made_at: datetime

    @property
    def several(self) -> bool:
        """Covers several plans: each part is headed by its plan's title."""
        return len(self.plans) > 1

    @property
    def milestones(self) -> list[MilestoneCheck]:
        return [c for part in self.parts for c in part.milestones]

    @property
    def lapses(self) -> list[Lapse]:
        return [x for part in self.parts for x in part.lapses]

    @property
    def behind(self) -> list[Entry]:
        return [e for part in self.parts for e in part.behind]

    def ranking_scope(self) -> str:
        """Which plans the ranking covers (said only when there are several)."""
        if not self.several:
            return ""
        titles = "、".join(p.title for p in self.plans)
        return f"排名涵盖{titles}，各单位按全部应报事项合并计算、只排名一次。"

    def unbound_note(self) -> str:
        units = len({row.unit for row in self.unbound})
        items = sum(len(row.tasks) for row in self.unbound)
        return (
            f"共{units}个单位未绑定填报人，无人收到台账提示，涉及未报送台账{items}项"
            "（不计入逾期和未报送名单），请尽快为其绑定填报人。"
        )

    def outcome_counts(self) -> dict[MilestoneOutcome | None, int]:
        counts: dict[MilestoneOutcome | None, int] = dict.fromkeys(OUTCOME_LABELS, 0)
        for check in self.milestones:
            for outcome, _ in check.answers.values():
                counts[outcome] += 1
        return counts

    def totals(self) -> Tally:
        total = Tally()
        for row in self.ranking:
            total.owed += row.tally.owed
            total.reported += row.tally.reported
            total.on_time += row.tally.on_time
        return total


def _rank(tallies: dict[UnitRef, Tally]) -> list[Ranked]:
    """By on-time rate, then fewer missing, fewer late, name; equal keys share a rank."""

    def key(item: tuple[UnitRef, Tally]) -> tuple[float, float, float]:
        t = item[1]
        return (-(t.on_time / t.owed if t.owed else 0.0), t.missing, t.late)

    ordered = sorted(tallies.items(), key=lambda item: (*key(item), item[0].name))
    ranked: list[Ranked] = []
    for index, (unit, t) in enumerate(ordered):
        same = ranked and key((ranked[-1].unit, ranked[-1].tally)) == key((unit, t))
        ranked.append(Ranked(ranked[-1].rank if same else index + 1, unit, t))
    return ranked


def _lapses(owed: list[Obligation], several: bool) -> tuple[dict[PlanInfo, list[Lapse]],
                                                            list[Unbound]]:  # fmt: skip
    """Late or missing reports per plan, and the unreported obligations of unbound units."""
    lapses: dict[tuple[PlanInfo, str, UnitRef], Lapse] = {}
    unbound: dict[tuple[str, UnitRef], Unbound] = {}
    for item in owed:
        if item.reported and not item.late:
            continue
        if not item.reported and item.unbound:
            number = str(item.task.number)
            ref = f"{item.plan.code}/{number}" if several and item.plan.code else number
            unbound.setdefault((item.period, item.unit), Unbound(item.period, item.unit, []))
            unbound[(item.period, item.unit)].tasks.append(ref)
            continue
        key = (item.plan, item.period, item.unit)
        lapse = lapses.setdefault(key, Lapse(item.period, item.unit, [], []))
        (lapse.late if item.reported else lapse.missing).append(item.task.number)
    per_plan: dict[PlanInfo, list[Lapse]] = {}
    for (plan, _, _), lapse in sorted(lapses.items(), key=lambda kv: (kv[0][1], kv[0][2].name)):
        per_plan.setdefault(plan, []).append(lapse)
    return per_plan, sorted(unbound.values(), key=lambda x: (x.period, x.unit.name))


def _summary(
    data: QuarterData, b: Bulletin, support: list[Obligation], urges: dict[UnitRef, int],
    extensions: list[Extended],
) -> list[str]:  # fmt: skip
    totals, counts = b.totals(), b.outcome_counts()
    unreachable = sum(len(row.tasks) for row in b.unbound)
    missing = f"未报送{totals.missing}项" + (
        f"（其中{unreachable}项所属单位未绑定填报人）" if unreachable else ""
    )
    lines = [
        f"本季度应报台账{totals.owed}项，按时报送{totals.on_time}项，逾期报送{totals.late}项，"
        f"{missing}。节点目标应答复{sum(counts.values())}项，其中"
        + "，".join(f"{label}{counts[key]}项" for key, label in OUTCOME_LABELS.items())
        + "。",
        *support_line(support),
        *urge_line(urges),
        *extension_line(extensions),
    ]
    day = f"{data.as_of:%Y-%m-%d}"
    periods = data.periods()
    if periods:
        lines.append(f"统计范围：{numbers(periods)}月台账（截至{day}已过报送截止时间）。")
    else:
        lines.append(f"截至{day}，本季度尚无已过报送截止时间的月度台账。")
    if b.several:
        plans = "；".join(f"{p.title}（{p.code}）" for p in b.plans)
        lines.append(f"涵盖计划：{plans}。")
    return lines


def build(data: QuarterData, only: Collection[int] | None = None) -> Bulletin:
    """The bulletin; `only` (unit ids) keeps that unit's lines, ranks still among all units."""
    plans = data.covered()
    several = len(plans) > 1
    owed = obligations(data.ledgers, support=False)
    support = [o for o in obligations(data.ledgers) if o.support]
    ranking = _rank(tally(owed))
    urges, extensions = data.urges, data.extensions
    lapses, unbound = _lapses(owed, several)
    behind: dict[PlanInfo, dict[tuple[int, int], Entry]] = {}
    for ledger in data.ledgers:  # in period order: later periods replace earlier
        mine = behind.setdefault(ledger.plan, {})
        for entry in ledger.entries.values():
            if entry.reported and entry.status == EntryStatus.BEHIND:
                mine[(entry.task_id, entry.unit.id)] = entry
    checks = data.milestones
    if only is not None:
        keep = set(only)
        checks = [
            MilestoneCheck(c.task, c.quarter, c.target, c.due,
                           {u: a for u, a in c.answers.items() if u.id in keep}, c.plan)
            for c in checks
            if any(u.id in keep for u in c.answers)
        ]  # fmt: skip
        ranking = [r for r in ranking if r.unit.id in keep]
        support = [o for o in support if o.unit.id in keep]
        urges = {unit: n for unit, n in urges.items() if unit.id in keep}
        extensions = [x for x in extensions if x.unit.id in keep]
        lapses = {p: [x for x in found if x.unit.id in keep] for p, found in lapses.items()}
        unbound = [x for x in unbound if x.unit.id in keep]
        behind = {
            p: {k: e for k, e in found.items() if k[1] in keep} for p, found in behind.items()
        }
    by_plan = {plan: PlanPart(plan) for plan in plans}
    for check in checks:
        plan = check.plan if check.plan in by_plan or not plans else plans[0]
        by_plan.setdefault(plan, PlanPart(plan)).milestones.append(check)
    for plan, found in lapses.items():
        by_plan.setdefault(plan, PlanPart(plan)).lapses.extend(found)
    for plan, reports in behind.items():
        ordered = sorted(reports.values(), key=lambda e: (e.task_number, e.unit.name))
        by_plan.setdefault(plan, PlanPart(plan)).behind.extend(ordered)
    q = data.quarter
    name = f"{q.year}年第{q.number}季度推进情况通报"
    bulletin = Bulletin(
        title=name if several or not plans else f"{plans[0].title} {name}",
        quarter=q.key,
        plans=plans,
        parts=[by_plan[p] for p in sorted(by_plan, key=lambda p: (p == NO_PLAN, p))],
        ranking=ranking,
        unbound=unbound,
        summary=[],
        made_at=data.as_of,
    )
    bulletin.summary.extend(_summary(data, bulletin, support, urges, extensions))
    return bulletin
