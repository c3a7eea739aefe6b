"""File readers: .docx (paragraphs, tables), .xlsx/.csv in the template, encodings, errors."""

import csv
from itertools import pairwise
from pathlib import Path

import docx
import openpyxl
import pytest

from ledger.importing import ImportFormatError, parse_file, write_template
from ledger.importing.files import TEMPLATE_COLUMNS

PARAGRAPHS = [
    "成资同城化发展2024年工作要点",
    "一、推进基础设施同网(2项)",
    "1.共建重大轨道交通项目。推动轨道交通资阳线完成盾构施工。",
    "责任单位:市发展改革委、市交通运输局,各县(区)、高新区(逗号前为牵头单位,下同)",
    "2.协同畅通公路网体系。打通古乐路、挂啄路。",
    "责任单位:市交通运输局,临空经济区",
]
ROWS = [
    [
        "一、统筹发展格局",
        "1",
        "推动临空经济区加快发展。",
        "临空经济区",
        "市经济和信息化局",
        "",
        *"ABCD",
    ],
    [
        "",
        "2",
        "做强县域功能节点支撑。",
        "各县(区)",
        "市商务局、市农业农村局",
        "市统计局",
        "",
        "",
        "",
        "Q",
    ],
    [
        "二、基础设施同网",
        "3",
        "共建重大轨道交通项目。",
        "市发展改革委、市交通运输局分别牵头",
        "",
        "",
        *"EFGH",
    ],
]


def write_xlsx(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or list(TEMPLATE_COLUMNS))
    for row in rows:
        sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header or list(TEMPLATE_COLUMNS), *rows])
    return path


def test_docx_paragraphs(tmp_path: Path) -> None:
    document = docx.Document()
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    document.save(tmp_path / "plan.docx")
    plan = parse_file(tmp_path / "plan.docx")
    assert plan.title == "成资同城化发展2024年工作要点"
    assert plan.year == 2024
    assert plan.sections[0].title == "推进基础设施同网"
    assert [(t.lead_units, t.support_units) for t in plan.tasks] == [
        (["市发展改革委", "市交通运输局"], ["各县(区)", "高新区"]),
        (["市交通运输局"], ["临空经济区"]),
    ]


def test_docx_table(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("成德眉资同城化2022年重点任务清单")
    table = document.add_table(rows=0, cols=9)
    header = ["板块", "序号", "任务内容", "进度安排", "", "", "", "牵头单位", "配合单位"]
    sub = ["", "", "", "一季度", "二季度", "三季度", "四季度", "", ""]
    section = ["一、全力推进重大基础设施项目建设"] * 9
    body = [
        [
            "",
            "1",
            "加快建设市域铁路。",
            "3月底前开工。",
            "6月底前",
            "9月底前",
            "12月底前",
            "成都市",
            "德阳市",
        ],
        ["", "2", "建设变电站。", "设计", "招标", "进场", "完成30%", "成都市、德阳市分别牵头", ""],
    ]
    for values in (header, sub, section, *body):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.save(tmp_path / "table.docx")
    plan = parse_file(tmp_path / "table.docx")
    assert plan.title == "成德眉资同城化2022年重点任务清单"
    assert plan.year == 2022
    assert [(s.number, s.title) for s in plan.sections] == [("一", "全力推进重大基础设施项目建设")]
    first, second = plan.tasks
    assert first.milestones == {
        "Q1": "3月底前开工。",
        "Q2": "6月底前",
        "Q3": "9月底前",
        "Q4": "12月底前",
    }
    assert (first.lead_units, first.support_units, first.section) == (["成都市"], ["德阳市"], "一")
    assert second.lead_units == ["成都市", "德阳市"]


@pytest.mark.parametrize("writer", [write_xlsx, write_csv])
def test_template_spreadsheets(tmp_path: Path, writer: object) -> None:
    path = writer(tmp_path / f"plan.{'xlsx' if writer is write_xlsx else 'csv'}", ROWS)  # type: ignore[operator]
    plan = parse_file(path, year=2024)
    assert plan.year == 2024
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "统筹发展格局"),
        ("二", "基础设施同网"),
    ]
    assert [(t.number, t.section) for t in plan.tasks] == [(1, "一"), (2, "一"), (3, "二")]
    assert plan.tasks[0].milestones == {"Q1": "A", "Q2": "B", "Q3": "C", "Q4": "D"}
    assert plan.tasks[1].milestones == {"Q4": "Q"}
    assert plan.tasks[1].support_units == ["市商务局", "市农业农村局"]
    assert plan.tasks[1].data_units == ["市统计局"]
    assert plan.tasks[2].lead_units == ["市发展改革委", "市交通运输局"]


def test_header_synonyms(tmp_path: Path) -> None:
    header = ["领域", "编号", "工作任务", "牵头部门", "配合部门", "第一季度", "Q2"]
    rows = [["交通", "1", "修路。", "市交通运输局", "各县(区)", "3月", "6月"]]
    plan = parse_file(write_csv(tmp_path / "s.csv", rows, header))
    task = plan.tasks[0]
    assert (task.lead_units, task.support_units) == (["市交通运输局"], ["各县(区)"])
    assert task.milestones == {"Q1": "3月", "Q2": "6月"}
    assert plan.sections[0].title == "交通"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_missing_required_columns(tmp_path: Path, suffix: str) -> None:
    header = ["序号", "任务内容", "一季度"]
    rows = [["1", "修路。", "3月"]]
    writer = write_xlsx if suffix == ".xlsx" else write_csv
    with pytest.raises(ImportFormatError, match="missing required columns: 牵头单位"):
        parse_file(writer(tmp_path / f"bad{suffix}", rows, header))


def test_no_header_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["a", "b"]], ["foo", "bar"])
    with pytest.raises(ImportFormatError, match="no header row"):
        parse_file(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_write_template_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"template{suffix}"
    write_template(path)
    plan = parse_file(path)
    assert len(plan.tasks) == 1
    task = plan.tasks[0]
    assert task.lead_units == ["市发展改革委"]
    assert task.support_units == ["各县(区)", "高新区", "临空经济区"]
    assert task.data_units == ["市统计局"]
    assert list(task.milestones) == ["Q1", "Q2", "Q3", "Q4"]


def test_progress_is_reported(tmp_path: Path) -> None:
    rows = [
        ["", str(n), f"任务{n}。", "市发展改革委", "", "", "", "", "", ""] for n in range(1, 501)
    ]
    calls: list[tuple[int, int]] = []
    plan = parse_file(
        write_xlsx(tmp_path / "big.xlsx", rows), progress=lambda d, t: calls.append((d, t))
    )
    assert len(plan.tasks) == 500
    assert calls[-1][0] == calls[-1][1] == 500
    assert 2 <= len(calls) <= 102
    assert all(a[0] < b[0] for a, b in pairwise(calls))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_text_encodings(tmp_path: Path, fixtures_dir: Path, encoding: str) -> None:
    text = (fixtures_dir / "separate_lines.txt").read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_bytes(text.encode(encoding))
    assert (
        parse_file(path).to_json_dict()
        == parse_file(fixtures_dir / "separate_lines.txt").to_json_dict()
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty document"),
        ("blank.md", b"  \n\n ", "empty document"),
        ("junk.txt", bytes(range(256)) * 8, "not a text document"),
        ("prose.txt", "今天天气很好。\n我们去公园。".encode(), "no recognisable tasks"),
        ("junk.docx", b"PK\x03\x04 not really a zip", "unreadable .docx"),
        ("junk.xlsx", b"\x00\x01\x02", "unreadable .xlsx"),
        ("plan.pdf", b"%PDF-1.4", "unsupported file type"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=message):
        parse_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no such file"):
        parse_file(tmp_path / "nope.txt")
