"""The quarterly bulletin (季通报): what it says, and the same content as an xlsx workbook.

Milestone results per task (已完成 / 部分完成 / 未完成 / 未答复), units ranked by punctuality over
the quarter's three ledgers, late and missing submissions by name, and tasks reported 滞后 with
their stated problems. `build` decides the content once; `bulletin_xlsx` and
`reports.bulletin_docx.bulletin_docx` only lay it out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ledger.scoring import Tally
from ledger.vocab import EntryStatus, MilestoneOutcome
from reports.data import Entry, MilestoneCheck, QuarterData, UnitRef
from reports.tallies import OUTCOME_LABELS, obligations, tally
from reports.xlsx import GREEN, RED, YELLOW, Formula, Rows, new_workbook, to_bytes

OUTCOME_COLOURS = {
    MilestoneOutcome.MET: GREEN,
    MilestoneOutcome.PARTLY: YELLOW,
    MilestoneOutcome.NOT_MET: RED,
    None: RED,
}


@dataclass(frozen=True)
class Ranked:
    rank: int
    unit: UnitRef
    tally: Tally

    @property
    def on_time_rate(self) -> float | None:
        return self.tally.on_time / self.tally.owed if self.tally.owed else None


@dataclass(frozen=True)
class Lapse:
    period: str
    unit: UnitRef
    late: list[int]  # task numbers reported late
    missing: list[int]  # task numbers not reported (or returned and not re-sent)


@dataclass(frozen=True)
class Bulletin:
    title: str
    quarter: str
    milestones: list[MilestoneCheck]
    ranking: list[Ranked]
    lapses: list[Lapse]
    behind: list[Entry]  # the latest 滞后 report of each (task, unit) in the quarter

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

    def key(item: tuple[UnitRef, Tally]) -> tuple[float, int, int]:
        t = item[1]
        return (-(t.on_time / t.owed if t.owed else 0.0), t.missing, t.late)

    ordered = sorted(tallies.items(), key=lambda item: (*key(item), item[0].name))
    ranked: list[Ranked] = []
    for index, (unit, t) in enumerate(ordered):
        same = ranked and key((ranked[-1].unit, ranked[-1].tally)) == key((unit, t))
        ranked.append(Ranked(ranked[-1].rank if same else index + 1, unit, t))
    return ranked


def build(data: QuarterData, only: Collection[int] | None = None) -> Bulletin:
    """The bulletin; `only` (unit ids) keeps that unit's lines, ranks still among all units."""
    owed = obligations(data.ledgers)
    ranking = _rank(tally(owed))
    lapses: dict[tuple[str, UnitRef], Lapse] = {}
    for item in owed:
        if item.reported and not item.late:
            continue
        lapse = lapses.setdefault((item.period, item.unit), Lapse(item.period, item.unit, [], []))
        (lapse.late if item.reported else lapse.missing).append(item.task.number)
    behind: dict[tuple[int, int], Entry] = {}
    for ledger in data.ledgers:
        for entry in ledger.entries.values():
            if entry.reported and entry.status == EntryStatus.BEHIND:
                behind[(entry.task_id, entry.unit.id)] = entry  # later periods replace earlier
    checks = data.milestones
    if only is not None:
        keep = set(only)
        checks = [
            MilestoneCheck(c.task, c.quarter, c.target, c.due,
                           {u: a for u, a in c.answers.items() if u.id in keep})
            for c in checks
            if any(u.id in keep for u in c.answers)
        ]  # fmt: skip
        ranking = [r for r in ranking if r.unit.id in keep]
        lapses = {k: v for k, v in lapses.items() if v.unit.id in keep}
        behind = {k: v for k, v in behind.items() if k[1] in keep}
    q = data.quarter
    return Bulletin(
        title=f"{data.plan_title} {q.year}年第{q.number}季度推进情况通报",
        quarter=q.key,
        milestones=checks,
        ranking=ranking,
        lapses=sorted(lapses.values(), key=lambda x: (x.period, x.unit.name)),
        behind=sorted(behind.values(), key=lambda e: (e.task_number, e.unit.name)),
    )


def _numbers(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


def _milestone_sheet(ws: Rows, b: Bulletin) -> None:
    row = 3
    for check in b.milestones:
        answers = list(check.answers.items()) or [(UnitRef("—", 0), (None, ""))]
        first = row
        for unit, (outcome, explanation) in answers:
            label = OUTCOME_LABELS[outcome]
            values: tuple[object, ...] = (
                check.task.number, check.task.text, unit.name, check.target, label, explanation
            )  # fmt: skip
            if row > first:  # merged below the first row: leave empty
                values = (None, None, unit.name, None, *values[4:])
            ws.body(values, OUTCOME_COLOURS[outcome], (5,), (1,))
            row += 1
        if row - 1 > first:
            for column in (1, 2, 4):
                ws.merge(first, column, row - 1, column)
    last = max(row - 1, 3)
    row += 1
    for label in OUTCOME_LABELS.values():
        ws.add(
            (None, None, None, f"{label}（项）", Formula(f'=COUNTIF(E3:E{last},"{label}")')),
            row=row,
        )
        row += 1


def _ranking_sheet(ws: Rows, b: Bulletin) -> None:
    for row, r in enumerate(b.ranking, start=3):
        t = r.tally
        ws.body((r.rank, r.unit.name, t.owed, t.on_time, t.late, t.missing,
                 Formula(f'=IF(C{row}=0,"",D{row}/C{row})')), formats={7: "0.0%"})  # fmt: skip


def bulletin_xlsx(b: Bulletin) -> bytes:
    book = new_workbook()
    with Rows(book, "节点目标", f"{b.title} — 节点目标完成情况",
              ("序号", "任务内容", "牵头单位", "本季度目标", "完成情况", "情况说明"),
              (6, 36, 16, 40, 10, 36)) as ws:  # fmt: skip
        _milestone_sheet(ws, b)
    with Rows(book, "报送排名", f"{b.title} — 报送及时率排名",
              ("排名", "单位", "应报", "按时", "逾期", "未报", "按时率"),
              (6, 28, 8, 8, 8, 8, 10)) as ws:  # fmt: skip
        _ranking_sheet(ws, b)
    with Rows(book, "逾期未报", f"{b.title} — 逾期和未报送情况",
              ("月份", "单位", "逾期报送（任务序号）", "未报送（任务序号）"),
              (10, 28, 30, 30)) as ws:  # fmt: skip
        for lapse in b.lapses:
            values = (lapse.period, lapse.unit.name, _numbers(lapse.late), _numbers(lapse.missing))
            ws.body(values, RED, (4,) if lapse.missing else ())
    with Rows(book, "滞后任务", f"{b.title} — 滞后任务及存在问题",
              ("序号", "任务内容", "单位", "月份", "进展情况", "存在问题"),
              (6, 36, 16, 10, 36, 36)) as ws:  # fmt: skip
        for e in b.behind:
            ws.body((e.task_number, e.task_text, e.unit.name, e.period, e.progress,
                     e.problems or ""))  # fmt: skip
    return to_bytes(book)
