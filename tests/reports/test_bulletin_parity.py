"""The bulletin's Word and xlsx files say the same text under the same labels (two plans, see
tests/reports/two_plans.py): summary, a section per plan, ranking, lapses, 未绑定, tasks 滞后."""

from __future__ import annotations

import io

import docx
import openpyxl

from reports.bulletin import build
from reports.bulletin_docx import bulletin_docx
from reports.bulletin_xlsx import bulletin_xlsx
from reports.xlsx import RED
from tests.reports import two_plans as t
from tests.reports.two_plans import NO_PRINCIPAL, rows


def _docx_parts(document: docx.document.Document) -> dict[str, list[str]]:
    """Paragraph texts under each numbered part heading."""
    parts: dict[str, list[str]] = {}
    current = ""
    for paragraph in document.paragraphs[1:]:
        text = paragraph.text
        if text[:2] in {f"{n}、" for n in "一二三四五六"}:
            current = text
            parts[current] = []
        else:
            parts[current].append(text)
    return parts


def _filled(sheet_rows: list[list[object]], merged: int = 0) -> list[list[str]]:
    """Rows as text, merged cells (None under a first row) filled from the row above."""
    out: list[list[str]] = []
    for row in sheet_rows:
        cells = ["" if v is None else str(v) for v in row]
        if out and merged and row[0] is None and row[2] is not None:
            above = out[-1]
            cells = [above[i] if cell == "" and i in (0, 1, 3) else cell
                     for i, cell in enumerate(cells)]  # fmt: skip
        out.append(cells)
    return out


def test_docx_and_xlsx_put_the_same_text_under_the_same_labels() -> None:
    b = build(t.quarter())
    document = docx.Document(io.BytesIO(bulletin_docx(b)))
    wb = openpyxl.load_workbook(io.BytesIO(bulletin_xlsx(b)))
    parts = _docx_parts(document)
    titles = [t.POINTS.title, t.TEN.title]
    assert list(parts) == ["一、总体情况", "二、节点目标完成情况", "三、报送及时率排名",
                           "四、逾期和未报送情况", "五、未绑定填报人的单位",
                           "六、滞后任务及存在问题"]  # fmt: skip
    # 总体情况: the same paragraphs
    assert parts["一、总体情况"] == [r[0] for r in rows(wb["总体情况"])] == b.summary
    # 节点目标: a table per plan under its title; the xlsx has a block per plan, same cells
    assert parts["二、节点目标完成情况"] == titles
    milestone_tables = document.tables[:2]
    xlsx_rows = _filled(rows(wb["节点目标"]), merged=1)
    docx_rows = [[c.text for c in r.cells] for tb in milestone_tables for r in tb.rows[1:]]
    assert [c.text for c in milestone_tables[0].rows[0].cells] == [
        c.value for c in wb["节点目标"][2]
    ]
    assert [r for r in xlsx_rows if r[0] not in ("", *titles)] == docx_rows
    assert [r[0] for r in xlsx_rows if r[0] in titles] == titles
    assert (
        docx_rows[2][1]
        == docx_rows[3][1]
        == (
            "加快推进成资大道、成资渝高速等重大交通项目建设，确保控制性工程如期开工，"
            "力争年底前完成主体工程建设任务并实现通车运营……"
        )
    )
    # 排名: same cells, the rate as the xlsx formula shows it (0.0%)
    ranking = document.tables[2]
    assert [[c.text for c in r.cells] for r in ranking.rows[1:]] == [
        ["1", "雁江区", "4", "3", "0", "1", "75.0%"],
        ["2", "市交通运输局", "2", "1", "1", "0", "50.0%"],
        ["3", "安岳县", "2", "0", "0", "2", "0.0%"],
        ["3", "市水务局", "2", "0", "0", "2", "0.0%"],
    ]
    xlsx_ranking = rows(wb["报送排名"])
    assert [r[:6] for r in xlsx_ranking[:4]] == [
        [int(c.text) if c.text.isdigit() else c.text for c in r.cells[:6]] for r in ranking.rows[1:]
    ]
    assert parts["三、报送及时率排名"] == [b.ranking_scope()] == [xlsx_ranking[4][0]]
    # 逾期和未报送: "period：unit，label numbers" with the xlsx headers as labels
    lapses = parts["四、逾期和未报送情况"]
    assert lapses == [
        t.POINTS.title,
        "2023-05：市水务局，未报送任务8。",
        "2023-06：市交通运输局，逾期报送任务5。",
        "2023-06：市水务局，未报送任务8。",
        t.TEN.title,
        "2023-06：雁江区，未报送任务5。",
    ]
    assert [c.value for c in wb["逾期未报"][2]][2:] == ["逾期报送任务", "未报送任务"]
    assert _filled(rows(wb["逾期未报"])) == [
        [t.POINTS.title, "", "", ""],
        ["2023-05", "市水务局", "", "8"],
        ["2023-06", "市交通运输局", "5", ""],
        ["2023-06", "市水务局", "", "8"],
        [t.TEN.title, "", "", ""],
        ["2023-06", "雁江区", "", "5"],
    ]
    # 未绑定: the same note and table
    assert parts["五、未绑定填报人的单位"] == [b.unbound_note()]
    unbound = [[c.text for c in r.cells] for r in document.tables[3].rows]
    xlsx_unbound = rows(wb["未绑定"])
    assert unbound == [[c.value for c in wb["未绑定"][2]], *[r for r in xlsx_unbound[:2]]]
    assert xlsx_unbound[2][0] == b.unbound_note()
    assert colour_of(wb["未绑定"]["C3"]) == RED
    # 滞后任务: each label of the docx line is an xlsx header, its text that column's cell;
    # 存在问题 only when a problem was stated (progress never shows under it)
    behind = parts["六、滞后任务及存在问题"]
    assert behind == [
        t.POINTS.title,
        "（1）任务5（雁江区，2023-06）：协同畅通公路网体系。\n"
        "进展情况：雁江区推进工作要点第5项。\n存在问题：征地拆迁进度偏慢。\n审定：" + NO_PRINCIPAL,
        t.TEN.title,
        "（1）任务5（雁江区，2023-05）：" + docx_rows[2][1] + "\n"
        "进展情况：雁江区推进十件大事第5项。\n审定：" + NO_PRINCIPAL,
    ]
    headers = [c.value for c in wb["滞后任务"][2]]
    sheet = rows(wb["滞后任务"])
    for line, xlsx_row in ((behind[1], sheet[1]), (behind[3], sheet[3])):
        first, *labelled = line.split("\n")
        assert first.endswith(f"：{xlsx_row[1]}") and f"（{xlsx_row[2]}，{xlsx_row[3]}）" in first
        for pair in labelled:
            label, value = pair.split("：", 1)
            assert xlsx_row[headers.index(label)] == value
    assert sheet[3][5] is None  # no problem stated: empty, not the progress


def colour_of(cell: object) -> str:
    return str(cell.fill.start_color.rgb)[-6:]  # type: ignore[attr-defined]
