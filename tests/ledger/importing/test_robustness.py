"""Junk in, ParsedPlan or ImportFormatError out: never any other exception."""

import csv
import io
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.importing import ImportFormatError, ParsedPlan, parse_file, parse_text
from ledger.importing.files import TEMPLATE_COLUMNS
from tests import plans

PLANS = plans.plans_dir()  # ../shared/plans beside the repository (tests/plans.py)
OWN_LINES = [
    line
    for path in sorted(PLANS.glob("*.txt"))
    for line in path.read_text(encoding="utf-8").splitlines()
]  # the two tests that draw from these take `plans_dir`: absent documents skip them
MARKERS = ["1.", "26", "一、", "(一)", "任务一:", "责任单位:", "牵头单位:", " | ", "\t", "序号"]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def outcome(call: object) -> None:
    try:
        result = call()  # type: ignore[operator]
    except ImportFormatError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(result, ParsedPlan)
    result.to_json_dict()


@SETTINGS
@given(st.text())
def test_random_unicode(text: str) -> None:
    outcome(lambda: parse_text(text))


@SETTINGS
@given(st.lists(st.sampled_from(OWN_LINES) | st.sampled_from(MARKERS) | st.text(max_size=30)))
def test_random_mixes_of_document_lines(plans_dir: Path, lines: list[str]) -> None:
    outcome(lambda: parse_text("\n".join(lines)))


@SETTINGS
@given(st.lists(st.sampled_from(OWN_LINES), min_size=1).map(" | ".join))
def test_random_flattened_rows(plans_dir: Path, text: str) -> None:
    header = "十件大事 | 序号 | 任务内容 | 进度安排 | 牵头单位 | 配合单位\n"
    header += "一季度 | 二季度 | 三季度 | 四季度\n"
    outcome(lambda: parse_text(header + text))


CELL = st.none() | st.integers(-5, 60) | st.floats(allow_nan=True) | st.text(max_size=20)
CELL |= st.sampled_from(["1", "一、交通", "市发展改革委、各县(区)分别牵头", "", "序号"])
HEADERS = st.lists(st.sampled_from([*TEMPLATE_COLUMNS, "foo", "", "进度安排"]), max_size=12)


@SETTINGS
@given(header=HEADERS, rows=st.lists(st.lists(CELL, max_size=12), max_size=15))
def test_random_csv(tmp_path: Path, header: list[str], rows: list[list[object]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path = tmp_path / "random.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    outcome(lambda: parse_file(path))


@SETTINGS
@given(header=HEADERS, rows=st.lists(st.lists(CELL, max_size=12), max_size=15))
def test_random_xlsx(tmp_path: Path, header: list[str], rows: list[list[object]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append([_excel_safe(v) for v in row])
    path = tmp_path / "random.xlsx"
    workbook.save(path)
    outcome(lambda: parse_file(path))


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_any_file(tmp_path: Path, data: bytes) -> None:
    for suffix in (".txt", ".csv", ".docx", ".xlsx"):
        path = tmp_path / f"junk{suffix}"
        path.write_bytes(data)
        outcome(lambda path=path: parse_file(path))


def _excel_safe(value: object) -> object:
    """openpyxl refuses control characters; the test is about the parser, not the writer."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch.isprintable())
    if isinstance(value, float) and value != value:
        return None
    return value
