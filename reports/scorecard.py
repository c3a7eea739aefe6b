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
WEIGHT_ROWS = {"on_time": 3, "completeness": 4, "approval": 5, "milestones": 6, "partly": 7}
WEIGHT_LABELS = {
    "on_time": "按时率权重",
    "completeness": "完整率权重",
    "approval": "审定率权重",
    "milestones": "节点得分率权重",
    "partly": "“部分完成”折算分（0–1）",
}
EXPLANATION = (
    "应报：统计月份内本单位牵头（含集体牵头分解到成员单位）的任务数之和。",
    "已报：有当前版本且已提交（已审定或待审定）的应报项；退回未重报不计。",
    "按时：已报且在该月台账截止时间前提交。已审定：已报且经主要负责同志审定。",
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
    tallies = tally(obligations(data.ledgers), data.milestones)
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


def _evidence_sheet(ws: Rows, data: YearData, tz: ZoneInfo) -> None:
    rows: list[tuple[str, str, int, str, str, str]] = []
    for item in obligations(data.ledgers):
        when = item.entry.submitted_at if item.entry else None
        stamp = when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else ""
        rows.append(
            (item.unit.name, item.period, item.task.number, "月度台账", item.outcome, stamp)
        )
    for check in data.milestones:
        for unit, (outcome, _) in check.answers.items():
            quarter = f"{data.year}Q{check.quarter}"
            label = OUTCOME_LABELS[outcome]
            rows.append((unit.name, quarter, check.task.number, "节点目标", label, ""))
    rows.sort(key=lambda r: (r[0], r[1], r[3], r[2]))
    for values in rows:  # unstyled: tens of thousands of rows
        ws.add(values)


def scorecard_xlsx(
    data: YearData, weights: Weights, tz: ZoneInfo, through: str, made_at: datetime
) -> bytes:
    book = new_workbook()
    title = f"{data.plan_title} {data.year}年度考评（统计至{through}，{made_at:%Y-%m-%d}生成）"
    with Rows(book, "年度考评", title, HEADERS, WIDTHS) as ws:
        for row, item in enumerate(score_rows(data, weights), start=3):
            t = item.tally
            counts = (t.owed, t.reported, t.on_time, t.approved, t.milestones_due)
            met = (t.outcome(MilestoneOutcome.MET), t.outcome(MilestoneOutcome.PARTLY))
            values = (item.rank, item.unit.name, *counts, *met, *_formulas(row))
            ws.body(values, formats=FORMATS)
    heading = "评分规则（LEDGERBOT_SCORE_WEIGHTS）"
    with Rows(book, RULES, heading, ("项目", "取值", "设置名"), (36, 10, 16)) as rules:
        _rules_sheet(rules, weights)
    headers = ("单位", "月份/季度", "任务序号", "类别", "结果", "填报时间")
    widths = (28, 10, 8, 10, 14, 16)
    with Rows(book, "评分依据", f"{data.year}年度考评评分依据", headers, widths) as evidence:
        _evidence_sheet(evidence, data, tz)
    return to_bytes(book)
