"""The yearly scorecard (年考评) workbook: one row per unit with its counts, the rates and the
score as live Excel formulas over the weights on the 评分规则 sheet, and every obligation behind
the counts on the 评分依据 sheet.

The rank is computed here with ledger.scoring (the same formula), so the order is right even in
a viewer that does not recalculate; change a weight in 评分规则 and Excel recomputes the scores.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from zoneinfo import ZoneInfo

from ledger.scoring import Score, Tally, Weights, ranked, score
from ledger.vocab import MilestoneOutcome
from reports.data import UnitRef, YearData
from reports.tallies import OUTCOME_LABELS, obligations, tally
from reports.xlsx import PLAIN, Formula, Rows, new_workbook, to_bytes

HEADERS = (
    "排名", "单位", "应报", "已报", "按时", "已审定", "节点应答", "节点已完成", "节点部分完成",
    "完整率", "按时率", "审定率", "节点得分率", "综合得分",
)  # fmt: skip
WIDTHS = (6, 28, 7, 7, 7, 8, 9, 10, 12, 9, 9, 9, 11, 10)
FORMATS = {10: "0.0%", 11: "0.0%", 12: "0.0%", 13: "0.0%", 14: "0.0"}  # the rates, the score
RULES = "评分规则"
WEIGHT_ROWS = {
    "on_time": 3, "completeness": 4, "approval": 5, "milestones": 6, "partly": 7, "support": 8,
}  # fmt: skip
WEIGHT_LABELS = {
    "on_time": "按时率权重",
    "completeness": "完整率权重",
    "approval": "审定率权重",
    "milestones": "节点得分率权重",
    "partly": "“部分完成”折算分（0–1）",
    "support": "配合单位反馈折算（0–1，按牵头任务的比例计）",
}
EXPLANATION = (
    "应报：统计月份（报送截止时间已过，且在计划的起止月份内）本单位牵头（含集体牵头分解到"
    "成员单位）的任务数之和，各计划合并计算。",
    "已报：已计入（经审定，或无审定人时报送即计入）或待审定的应报项；退回未重报不计。",
    "按时：首次计入的报送在该月台账截止时间前（之后的修改不改变按时与否）。",
    "已审定：已报且经主要负责同志审定；无审定人的单位报送即计入，显示为"
    "“未经审定（无审定人）”，不计为已审定。",
    "配合单位反馈（作为配合单位每月报送的反馈）按“配合单位反馈折算”计入应报、已报、按时、已审定。",
    "完整率 = 已报 ÷ 应报；按时率 = 按时 ÷ 应报；审定率 = 已审定 ÷ 已报。",
    "节点得分率 = (节点已完成 + 部分完成 × 折算分) ÷ 节点应答数（未答复、未完成计0）。",
    "综合得分 = 100 × Σ(权重 × 比率) ÷ Σ(参与计算的权重)；分母为0的比率不参与计算。",
)


@dataclass(frozen=True)
class ScoreRow:
    rank: int
    unit: UnitRef
    tally: Tally
    score: Score


def score_rows(data: YearData, weights: Weights) -> list[ScoreRow]:
    tallies = tally(obligations(data.ledgers), data.milestones, support_weight=weights.support)
    by_name = {unit.name: (unit, t) for unit, t in tallies.items()}
    scores = [(unit.name, score(t, weights)) for unit, t in tallies.items()]
    return [
        ScoreRow(rank, by_name[name][0], by_name[name][1], value)
        for rank, name, value in ranked(scores)
    ]


def _weight(name: str) -> str:
    return f"'{RULES}'!$B${WEIGHT_ROWS[name]}"


def _formulas(r: int) -> tuple[Formula, Formula, Formula, Formula, Formula]:
    on, co, ap, mi = (_weight(n) for n in ("on_time", "completeness", "approval", "milestones"))
    total = Formula(
        f'=IF(C{r}+G{r}=0,"",ROUND(100*(IF(C{r}>0,{on}*K{r}+{co}*J{r},0)'
        f"+IF(D{r}>0,{ap}*L{r},0)+IF(G{r}>0,{mi}*M{r},0))"
        f"/(IF(C{r}>0,{on}+{co},0)+IF(D{r}>0,{ap},0)+IF(G{r}>0,{mi},0)),1))"
    )
    return (
        Formula(f'=IF(C{r}=0,"",D{r}/C{r})'),
        Formula(f'=IF(C{r}=0,"",E{r}/C{r})'),
        Formula(f'=IF(D{r}=0,"",F{r}/D{r})'),
        Formula(f'=IF(G{r}=0,"",(H{r}+{_weight("partly")}*I{r})/G{r})'),
        total,
    )


def _rules_sheet(ws: Rows, weights: Weights) -> None:
    for f in sorted(fields(weights), key=lambda f: WEIGHT_ROWS[f.name]):
        ws.body((WEIGHT_LABELS[f.name], getattr(weights, f.name), f.name), row=WEIGHT_ROWS[f.name])
    for offset, line in enumerate(EXPLANATION, start=max(WEIGHT_ROWS.values()) + 2):
        ws.add((ws.cell(line, PLAIN),), row=offset, height=30)
        ws.merge(offset, 1, offset, 3)


EVIDENCE_HEADERS = ("单位", "月份/季度", "计划", "任务序号", "类别", "结果", "审定", "填报时间")
EVIDENCE_WIDTHS = (28, 10, 12, 8, 10, 14, 20, 16)


def _evidence_sheet(ws: Rows, data: YearData, tz: ZoneInfo) -> None:
    """Every obligation and milestone answer behind the counts. 审定 says 已审定 only for a
    principal's approval; 填报时间 is the submission the timing was judged by (the first that
    counted: a later correction keeps it)."""
    rows: list[tuple[tuple[str, str, str, int, int], tuple[object, ...]]] = []
    for item in obligations(data.ledgers):
        when = item.timed_at
        stamp = when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else ""
        order = (item.unit.name, item.period, "月度台账", item.plan.id, item.task.number)
        kind = "配合单位反馈" if item.support else "月度台账"
        rows.append((order, (item.unit.name, item.period, item.plan.code, item.task.number,
                             kind, item.outcome, item.review, stamp)))  # fmt: skip
    for check in data.milestones:
        quarter = f"{data.year}Q{check.quarter}"
        order_of = (quarter, "节点目标", check.plan.id, check.task.number)
        for unit, (outcome, _) in check.answers.items():
            label = OUTCOME_LABELS[outcome]
            answer = (unit.name, quarter, check.plan.code, check.task.number, "节点目标", label)
            rows.append(((unit.name, *order_of), (*answer, "", "")))
    rows.sort(key=lambda row: row[0])  # by unit, period, kind, plan, task
    for _, cells in rows:  # unstyled: tens of thousands of rows
        ws.add(cells)


def title(data: YearData, through: str, made_at: datetime) -> str:
    """The plan's title (or, with several, which plans the scorecard covers), the last period
    counted and the day it was made."""
    plans = data.covered()
    when = f"统计至{through}，{made_at:%Y-%m-%d}生成"
    if len(plans) > 1:
        return f"{data.year}年度考评（涵盖{'、'.join(p.title for p in plans)}；{when}）"
    return f"{data.plan_title} {data.year}年度考评（{when}）"


def scorecard_xlsx(
    data: YearData, weights: Weights, tz: ZoneInfo, through: str, made_at: datetime
) -> bytes:
    """The workbook; `made_at` is in its title and is its file stamp (same data, same bytes)."""
    book = new_workbook()
    with Rows(book, "年度考评", title(data, through, made_at), HEADERS, WIDTHS) as ws:
        for row, item in enumerate(score_rows(data, weights), start=3):
            t = item.tally
            counts = (t.owed, t.reported, t.on_time, t.approved, t.milestones_due)
            met = (t.outcome(MilestoneOutcome.MET), t.outcome(MilestoneOutcome.PARTLY))
            values = (item.rank, item.unit.name, *counts, *met, *_formulas(row))
            ws.body(values, formats=FORMATS)
    heading = "评分规则（LEDGERBOT_SCORE_WEIGHTS）"
    with Rows(book, RULES, heading, ("项目", "取值", "设置名"), (36, 10, 16)) as rules:
        _rules_sheet(rules, weights)
    heading = f"{data.year}年度考评评分依据"
    with Rows(book, "评分依据", heading, EVIDENCE_HEADERS, EVIDENCE_WIDTHS) as evidence:
        _evidence_sheet(evidence, data, tz)
    return to_bytes(book, made_at)
