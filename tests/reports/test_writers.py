"""Golden tests of the documents: open the produced xlsx/docx and check what a reader sees."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
import openpyxl

from ledger.scoring import Weights
from reports.bulletin import build
from reports.bulletin_docx import bulletin_docx
from reports.bulletin_xlsx import bulletin_xlsx
from reports.entries import FIELDS, entries_csv, entries_json
from reports.ledger_xlsx import HEADERS, ledger_workbook
from reports.scorecard import score_rows, scorecard_xlsx
from reports.xlsx import GREEN, RED, YELLOW
from tests.reports.sample import SH, WATER, YANJIANG, may_ledger, quarter, year

TZ = ZoneInfo("Asia/Shanghai")
AFTER_DUE = datetime(2023, 6, 20, tzinfo=SH)


def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def colour(cell: object) -> str:
    return str(cell.fill.start_color.rgb)[-6:]  # type: ignore[attr-defined]


def test_ledger_layout() -> None:
    ws = book(ledger_workbook([may_ledger()], TZ, AFTER_DUE))["2023-05"]
    assert ws["A1"].value == "成资同城化发展2023年工作要点 推进台账（2023年5月）"
    assert tuple(c.value for c in ws[2]) == HEADERS
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)
    assert ws.column_dimensions["B"].width == 40 and ws["F4"].alignment.wrap_text
    merged = {str(r) for r in ws.merged_cells.ranges}
    # title, two section headings, and task 5's two unit rows sharing 序号/任务内容/配合单位(反馈)
    assert merged == {"A1:N1", "A3:N3", "A4:A5", "B4:B5", "D4:D5", "N4:N5", "A6:N6"}
    assert ws["A3"].value == "二、基础设施" and ws["A6"].value == "三、生态环境"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=7)]
    assert rows[0][:5] == [5, "协同畅通公路网体系。", "市交通运输局", "市发展改革委", "序时推进"]
    assert rows[0][8:13] == ["王五", "2023-06-05 10:30", "否", "已审定 2023-06-06", None]
    assert rows[1][2:7] == [
        "雁江区",
        None,
        "滞后",
        "雁江区完成5号任务阶段工作。",
        "征地拆迁进度偏慢。",
    ]
    assert rows[1][10] == "是"
    assert rows[3][:5] == [8, "强力推进水利设施建设。", "市水务局", None, "未报送"]
    assert rows[3][10] == "未报"
    assert [colour(ws[f"E{r}"]) for r in (4, 5, 7)] == [GREEN, YELLOW, RED]


def test_ledger_before_the_deadline_does_not_call_missing_overdue() -> None:
    ws = book(ledger_workbook([may_ledger()], TZ, datetime(2023, 6, 2, tzinfo=SH)))["2023-05"]
    # Not yet due: 待报送, uncoloured (red is for what is overdue), and 是否逾期 left empty.
    assert ws["E7"].value == "待报送" and ws["K7"].value is None
    assert colour(ws["E7"]) != RED


def test_one_sheet_per_period() -> None:
    ledgers = [may_ledger("2023-04"), may_ledger("2023-05")]
    assert book(ledger_workbook(ledgers, TZ, AFTER_DUE)).sheetnames == ["2023-04", "2023-05"]


def test_bulletin_content() -> None:
    b = build(quarter())
    assert b.title == "成资同城化发展2023年工作要点 2023年第2季度推进情况通报"
    assert [(r.rank, r.unit.name, r.tally.on_time, r.tally.missing) for r in b.ranking] == [
        (1, "市交通运输局", 3, 0),
        (2, "雁江区", 0, 0),
        (3, "市水务局", 0, 3),
    ]
    assert [(x.period, x.unit.name, x.late, x.missing) for x in b.lapses][:2] == [
        ("2023-04", "市水务局", [], [8]),
        ("2023-04", "雁江区", [5], []),
    ]
    [behind] = b.behind
    assert (behind.unit, behind.period, behind.problems) == (
        YANJIANG,
        "2023-06",
        "征地拆迁进度偏慢。",
    )
    mine = build(quarter(), only=[WATER.id])
    assert [(r.rank, r.unit) for r in mine.ranking] == [(3, WATER)]
    assert [c.task.number for c in mine.milestones] == [8] and mine.behind == []


def test_bulletin_xlsx() -> None:
    wb = book(bulletin_xlsx(build(quarter())))
    assert wb.sheetnames == ["总体情况", "节点目标", "报送排名", "逾期未报", "未绑定", "滞后任务"]
    ws = wb["节点目标"]
    assert [c.value for c in ws[3]][2:5] == ["市交通运输局", "6月底前控制性工程开工。", "已完成"]
    assert ws["E4"].value == "未答复" and ws["E5"].value == "部分完成"
    assert [colour(ws[f"E{r}"]) for r in (3, 4, 5)] == [GREEN, RED, YELLOW]
    assert {"A3:A4", "B3:B4", "D3:D4"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws["D7"].value == "已完成（项）" and ws["E7"].value == '=COUNTIF(E3:E5,"已完成")'
    ranking = wb["报送排名"]
    assert [c.value for c in ranking[3]] == [1, "市交通运输局", 3, 3, 0, 0, '=IF(C3=0,"",D3/C3)']
    assert ranking["G3"].number_format == "0.0%"


def test_bulletin_docx() -> None:
    document = docx.Document(io.BytesIO(bulletin_docx(build(quarter()))))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "成资同城化发展2023年工作要点 2023年第2季度推进情况通报"
    assert "本季度应报台账9项，按时报送3项，逾期报送3项，未报送3项。" in texts[2]
    assert "已完成1项，部分完成1项，未完成0项，未答复1项" in texts[2]
    assert "2023-04：市水务局，未报送任务8。" in texts
    assert any(t.startswith("（1）任务5（雁江区，2023-06）") and "征地拆迁" in t for t in texts)
    milestones, ranking = document.tables
    assert [c.text for c in milestones.rows[0].cells] == [
        "序号", "任务内容", "牵头单位", "本季度目标", "完成情况", "情况说明",
    ]  # fmt: skip
    assert [c.text for c in milestones.rows[1].cells][2:5] == [
        "市交通运输局", "6月底前控制性工程开工。", "已完成",
    ]  # fmt: skip
    assert [c.text for c in ranking.rows[3].cells] == ["3", "市水务局", "3", "0", "0", "3", "0.0%"]
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0


def test_scorecard_formulas_and_evidence() -> None:
    data = year()
    rows = score_rows(data, Weights())
    transport = next(r for r in rows if r.unit.name == "市交通运输局")
    # 3 of 3 on time, approved; milestone met: every rate is 1
    assert transport.score.total == 100.0 and transport.rank == 1
    water = next(r for r in rows if r.unit == WATER)
    # nothing reported: 0 on time, 0 complete, no approval rate; the milestone is partly met
    assert water.score.total == round(100 * 0.2 * 0.5 / 0.9, 1) == 11.1
    wb = book(scorecard_xlsx(data, Weights(), TZ, "2023-06", datetime(2023, 7, 10, tzinfo=SH)))
    ws = wb["年度考评"]
    assert (
        ws["A1"].value
        == "成资同城化发展2023年工作要点 2023年度考评（统计至2023-06，2023-07-10生成）"
    )
    assert [c.value for c in ws[3]][:9] == [1, "市交通运输局", 3, 3, 3, 3, 1, 1, 0]
    assert ws["J3"].value == '=IF(C3=0,"",D3/C3)'
    assert ws["M3"].value == "=IF(G3=0,\"\",(H3+'评分规则'!$B$7*I3)/G3)"
    assert ws["N3"].value.startswith("=IF(C3+G3=0,\"\",ROUND(100*(IF(C3>0,'评分规则'!$B$3*K3")
    rules = wb["评分规则"]
    assert [(rules[f"A{r}"].value, rules[f"B{r}"].value) for r in (3, 7)] == [
        ("按时率权重", 0.4),
        ("“部分完成”折算分（0–1）", 0.5),
    ]
    evidence = [[c.value for c in row] for row in wb["评分依据"].iter_rows(min_row=3)]
    # 单位, 月份/季度, 计划 (the hand-made plan has no code), 序号, 类别, 结果, 审定, 填报时间
    assert ["市水务局", "2023-04", None, 8, "月度台账", "未报", None, None] in evidence
    assert ["雁江区", "2023Q2", None, 5, "节点目标", "未答复", None, None] in evidence
    assert ["雁江区", "2023-05", None, 5, "月度台账", "逾期", "已审定", "2023-06-12 10:30"] in (
        evidence
    )


def test_entries_csv_and_json() -> None:
    entries = list(may_ledger().entries.values())
    rows = list(csv.DictReader(io.StringIO(entries_csv(entries, TZ))))
    assert tuple(rows[0]) == FIELDS and len(rows) == 2
    assert rows[1]["unit"] == "雁江区" and rows[1]["late"] == "True"
    assert rows[0]["submitted_at"] == "2023-06-05T10:30:00+08:00" and rows[0]["problems"] == ""
    [first, _] = json.loads(entries_json(entries, TZ))
    assert first["is_current"] is True and first["approved"] is True and first["problems"] is None


def test_attachments_are_listed_in_the_ledger_and_the_entries() -> None:
    """Evidence in the documents: what, who sent it, when (in the bureau's time zone)."""
    import dataclasses

    from reports.data import Attachment

    ledger = may_ledger()
    key = next(iter(ledger.entries))
    sent = datetime(2023, 6, 5, 2, 31, tzinfo=ZoneInfo("UTC"))  # 10:31 in Shanghai
    files = (
        Attachment("photo", None, "王五", sent),
        Attachment("document", "方案.pdf", "王五", sent),
    )
    ledger.entries[key] = dataclasses.replace(ledger.entries[key], attachments=files)
    ws = book(ledger_workbook([ledger], TZ, AFTER_DUE))["2023-05"]
    assert ws["M2"].value == "附件"
    assert (
        ws["M4"].value == "照片（王五，2023-06-05 10:31）\n文件 方案.pdf（王五，2023-06-05 10:31）"
    )
    entries = list(ledger.entries.values())
    rows = list(csv.DictReader(io.StringIO(entries_csv(entries, TZ))))
    assert (
        rows[0]["attachments"]
        == "照片（王五，2023-06-05 10:31）；文件 方案.pdf（王五，2023-06-05 10:31）"
    )
    assert rows[1]["attachments"] == ""
    [first, _] = json.loads(entries_json(entries, TZ))
    assert first["attachments"][1] == {
        "kind": "document",
        "file_name": "方案.pdf",
        "reporter": "王五",
        "at": "2023-06-05T10:31:00+08:00",
    }


def test_reporter_text_is_never_a_formula() -> None:
    """Formula injection: text a reporter typed stays text even when it starts with "="."""
    import dataclasses

    ledger = may_ledger()
    key = next(iter(ledger.entries))
    planted = '=HYPERLINK("http://evil.example","点我")'
    ledger.entries[key] = dataclasses.replace(ledger.entries[key], progress=planted)
    data = ledger_workbook([ledger], TZ, AFTER_DUE)
    ws = openpyxl.load_workbook(io.BytesIO(data))["2023-05"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == planted)
    assert cell.data_type == "s"
    sheet = _sheet_xml(data)
    assert b"HYPERLINK" in sheet and b"<f>HYPERLINK" not in sheet


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")
