"""Golden tests of the documents with two plans owed in the same periods (tests/reports/two_plans):
a sheet or a section per plan with its title, 审定 labels, units without contact apart, a late
correction that stays on time. Every figure is counted by hand from the table in two_plans."""

from __future__ import annotations

import io
import json
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from ledger.scoring import Weights
from reports.bulletin import build
from reports.data import PeriodLedger
from reports.entries import entries_csv, entries_json
from reports.ledger_xlsx import ledger_workbook, sheet_names
from reports.scorecard import score_rows, scorecard_xlsx
from tests.reports import two_plans as t
from tests.reports.sample import may_ledger
from tests.reports.two_plans import NO_PRINCIPAL, rows

TZ = ZoneInfo("Asia/Shanghai")


def test_ledger_has_a_sheet_per_period_and_plan_with_the_plan_title_on_top() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(ledger_workbook(t.ledgers(), TZ, t.AS_OF)))
    assert wb.sheetnames == ["2023-05 工作要点", "2023-05 十件大事", "2023-06 工作要点",
                             "2023-06 十件大事"]  # fmt: skip
    assert (
        wb["2023-05 工作要点"]["A1"].value == "成资同城化发展2023年工作要点 推进台账（2023年5月）"
    )
    assert wb["2023-06 十件大事"]["A1"].value == "成德眉资同城化十件大事 推进台账（2023年6月）"
    may = rows(wb["2023-05 工作要点"])
    # 序号 … 填报时间 是否逾期 审定: transport approved; 雁江区 counted without a principal, its
    # current version a correction sent 06-12, after the deadline, yet 是否逾期 stays 否.
    assert [may[0][2], may[0][10], may[0][11]] == ["市交通运输局", "否", "已审定 2023-06-05"]
    assert [may[1][2], may[1][9], may[1][10], may[1][11]] == [
        "雁江区", "2023-06-12 10:30", "否", NO_PRINCIPAL,
    ]  # fmt: skip
    assert [may[2][2], may[2][4], may[2][10], may[2][11]] == ["市水务局", "未报送", "未报", None]
    big = rows(wb["2023-05 十件大事"])
    assert [(r[0], r[2], r[4], r[11]) for r in big] == [
        (5, "雁江区", "滞后", NO_PRINCIPAL),
        (None, "安岳县", "未报送", None),
    ]
    assert big[0][1] == t.BIG_TEXT  # the ledger keeps the whole task text
    june = rows(wb["2023-06 工作要点"])
    assert [june[0][2], june[0][10], june[0][11]] == ["市交通运输局", "是", "已审定 2023-07-10"]
    assert all("已审定" not in str(r[11]) for s in wb for r in rows(s) if r[2] == "雁江区")


def test_a_period_with_one_plan_keeps_its_plain_sheet_name() -> None:
    one = [t.ledgers()[0], t.ledgers()[2], t.ledgers()[3]]
    assert sheet_names(one) == ["2023-05", "2023-06 工作要点", "2023-06 十件大事"]


def _renamed(ledger: PeriodLedger, code: str, period: str | None = None) -> PeriodLedger:
    import dataclasses

    from ledger.periods import Period

    chosen = Period.parse(period) if period else ledger.period
    return dataclasses.replace(ledger, plan_code=code, period=chosen)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["要点", "十件大事"], ["2023-05 要点", "2023-05 十件大事"]),
        # Excel forbids [ ] : * ? / \ in sheet names
        (["a[1]", "b*?/\\:"], ["2023-05 a_1_", "2023-05 b_____"]),
        # equal after the cut or ignoring case: numbered, still within 31 characters
        (["ABCDEFGHIJKLMNOPQRSTUVWX", "ABCDEFGHIJKLMNOPQRSTUVWY"],
         ["2023-05 ABCDEFGHIJKLMNOPQRSTUVW", "2023-05 ABCDEFGHIJKLMNOPQRS (2)"]),
        (["abc", "ABC"], ["2023-05 abc", "2023-05 ABC (2)"]),
    ],
)  # fmt: skip
def test_sheet_names_are_unique_legal_and_short(codes: list[str], expected: list[str]) -> None:
    ledgers = [_renamed(may_ledger(), code) for code in codes]
    names = sheet_names(ledgers)
    assert names == expected and all(len(n) <= 31 for n in names)
    book = openpyxl.load_workbook(io.BytesIO(ledger_workbook(ledgers, TZ, t.AS_OF)))
    assert book.sheetnames == expected


def test_two_sheets_that_would_share_a_name_do_not_collide() -> None:
    """Two plans without a code in one period (hand-made data): numbered, not an error."""
    assert sheet_names([may_ledger(), may_ledger()]) == ["2023-05", "2023-05 (2)"]


def test_bulletin_sections_per_plan_and_ranking_over_all_plans() -> None:
    b = build(t.quarter())
    assert b.title == "2023年第2季度推进情况通报"
    assert [part.plan for part in b.parts] == [t.POINTS, t.TEN]
    # Over both plans, by hand: 雁江区 owes 4 (工作要点/5 May+June, 十件大事/5 May+June) and
    # reported 3 on time (May's correction keeps the first, on-time submission); 交通 owes 2,
    # one on time, one late; 水务 and 安岳县 owe 2 each and reported nothing (same key: rank 3).
    assert [(r.rank, r.unit.name, r.cells()[2:]) for r in b.ranking] == [
        (1, "雁江区", (4, 3, 0, 1)),
        (2, "市交通运输局", (2, 1, 1, 0)),
        (3, "安岳县", (2, 0, 0, 2)),
        (3, "市水务局", (2, 0, 0, 2)),
    ]
    points, ten = b.parts
    assert [x.cells() for x in points.lapses] == [
        ("2023-05", "市水务局", "", "8"),
        ("2023-06", "市交通运输局", "5", ""),
        ("2023-06", "市水务局", "", "8"),
    ]
    # 安岳县 had no bound contact: listed apart, never among the 未报送 lapses
    assert [x.cells() for x in ten.lapses] == [("2023-06", "雁江区", "", "5")]
    assert [x.cells() for x in b.unbound] == [
        ("2023-05", "安岳县", "十件大事/5"),
        ("2023-06", "安岳县", "十件大事/5"),
    ]
    assert [c.task.id for c in points.milestones] == [t.ROAD.id]
    assert [c.task.id for c in ten.milestones] == [t.BIG.id]
    assert [(e.task_id, e.period) for e in points.behind] == [(t.ROAD.id, "2023-06")]
    assert [(e.task_id, e.period) for e in ten.behind] == [(t.BIG.id, "2023-05")]
    assert b.summary == [
        "本季度应报台账10项，按时报送4项，逾期报送1项，未报送5项（其中2项所属单位未绑定填报人）。"
        "节点目标应答复4项，其中已完成1项，部分完成1项，未完成0项，未答复2项。",
        "统计范围：2023-05、2023-06月台账（截至2023-07-12已过报送截止时间）。",
        "涵盖计划：成资同城化发展2023年工作要点（工作要点）；成德眉资同城化十件大事（十件大事）。",
    ]
    assert b.unbound_note().startswith("共1个单位未绑定填报人") and "未报送台账2项" in (
        b.unbound_note()
    )
    mine = build(t.quarter(), only=[t.ANYUE.id])
    assert [(r.rank, r.unit) for r in mine.ranking] == [(3, t.ANYUE)] and mine.lapses == []
    assert [x.unit for x in mine.unbound] == [t.ANYUE, t.ANYUE]


def test_scorecard_ranks_each_unit_once_and_counts_only_principal_approvals() -> None:
    data = t.year()
    by_unit = {r.unit.name: r for r in score_rows(data, Weights())}
    yan = by_unit["雁江区"]
    # owed 4, reported 3, on time 3, approved 0 (no principal: 未经审定), milestones 2: one
    # partly, one unanswered → 100 × (0.4×0.75 + 0.3×0.75 + 0.1×0 + 0.2×0.25) = 57.5
    assert (yan.tally.owed, yan.tally.reported, yan.tally.on_time, yan.tally.approved) == (
        4, 3, 3, 0,
    )  # fmt: skip
    assert yan.score.approval_rate == 0.0 and yan.score.total == 57.5
    # 交通: 2 owed, both reported, 1 on time, 2 approved, milestone met:
    # 100 × (0.4×0.5 + 0.3×1 + 0.1×1 + 0.2×1) = 80.0
    assert by_unit["市交通运输局"].score.total == 80.0 and by_unit["市交通运输局"].rank == 1
    assert yan.rank == 2 and by_unit["安岳县"].rank == by_unit["市水务局"].rank == 3
    wb = openpyxl.load_workbook(io.BytesIO(scorecard_xlsx(data, Weights(), TZ, "2023-06", t.AS_OF)))
    card = wb["年度考评"]
    assert card["A1"].value == (
        "2023年度考评（涵盖成资同城化发展2023年工作要点、成德眉资同城化十件大事；"
        "统计至2023-06，2023-07-12生成）"
    )
    assert [r[:9] for r in rows(card)] == [
        [1, "市交通运输局", 2, 2, 1, 2, 1, 1, 0],
        [2, "雁江区", 4, 3, 3, 0, 2, 0, 1],
        [3, "安岳县", 2, 0, 0, 0, 1, 0, 0],
        [3, "市水务局", 2, 0, 0, 0, 0, 0, 0],
    ]
    evidence = rows(wb["评分依据"])
    assert [c.value for c in wb["评分依据"][2]] == [
        "单位", "月份/季度", "计划", "任务序号", "类别", "结果", "审定", "填报时间",
    ]  # fmt: skip
    yanjiang = [r for r in evidence if r[0] == "雁江区"]
    assert yanjiang == [
        # the May correction (06-12) keeps the first counted submission's time and 按时
        ["雁江区", "2023-05", "工作要点", 5, "月度台账", "按时", NO_PRINCIPAL, "2023-06-05 10:30"],
        ["雁江区", "2023-05", "十件大事", 5, "月度台账", "按时", NO_PRINCIPAL, "2023-06-05 10:30"],
        ["雁江区", "2023-06", "工作要点", 5, "月度台账", "按时", NO_PRINCIPAL, "2023-07-05 10:30"],
        ["雁江区", "2023-06", "十件大事", 5, "月度台账", "未报", None, None],
        ["雁江区", "2023Q2", "工作要点", 5, "节点目标", "未答复", None, None],
        ["雁江区", "2023Q2", "十件大事", 5, "节点目标", "部分完成", None, None],
    ]
    assert [
        "安岳县",
        "2023-05",
        "十件大事",
        5,
        "月度台账",
        "未报（未绑定）",
        None,
        None,
    ] in evidence
    assert ["市交通运输局", "2023-06", "工作要点", 5, "月度台账", "逾期", "已审定",
            "2023-07-10 10:30"] in evidence  # fmt: skip


def test_entries_export_names_the_plan_and_approves_only_principal_reviews() -> None:
    entries = [e for ledger in t.ledgers() for e in ledger.entries.values()]
    dump = json.loads(entries_json(entries, TZ))
    assert [(d["plan"], d["task_number"], d["unit"], d["state"], d["approved"]) for d in dump] == [
        ("工作要点", 5, "市交通运输局", "approved", True),
        ("工作要点", 5, "雁江区", "accepted", False),
        ("十件大事", 5, "雁江区", "accepted", False),
        ("工作要点", 5, "市交通运输局", "approved", True),
        ("工作要点", 5, "雁江区", "accepted", False),
    ]
    header = entries_csv(entries, TZ).split("\n")[0].split(",")
    assert header[:4] == ["entry_id", "period", "plan", "task_number"]
