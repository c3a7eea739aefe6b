"""Deadline phrases → dates, and text encodings: Chinese ones read, others refused by name."""

from datetime import date
from pathlib import Path

import pytest

from ledger.importing import ImportFormatError, parse_file
from ledger.importing.deadlines import parse_deadline, phrase_in
from ledger.importing.encoding import decode
from tests.ledger.importing.hostile import SHIFT_JIS_TEXT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6月底前", date(2023, 6, 30)),
        ("年底前", date(2023, 12, 31)),
        ("2024年9月底前完成", date(2024, 9, 30)),
        ("2023年底前", date(2023, 12, 31)),
        ("12月31日前", date(2023, 12, 31)),
        ("二月底", date(2023, 2, 28)),
        ("11月中旬", date(2023, 11, 20)),
        ("上半年", date(2023, 6, 30)),
        ("三季度末", date(2023, 9, 30)),
        ("第二季度", date(2023, 6, 30)),
        ("2023-09-15", date(2023, 9, 15)),
        ("3月底前完成设计,6月底前开工", date(2023, 6, 30)),  # the last date is the deadline
        ("2022年10月底前;12月底前", date(2022, 12, 31)),  # a later month keeps the year above
        ("长期坚持", None),
        ("持续推进", None),
    ],
)
def test_deadline_dates(text: str, expected: date | None) -> None:
    assert parse_deadline(text, 2023) == expected


def test_month_without_year_needs_the_plans_year() -> None:
    assert parse_deadline("6月底前", None) is None
    assert parse_deadline("2019年9月底前", None) == date(2019, 9, 30)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("全年开工项目50个,9月底前完成主体工程。", "9月底前"),
        ("年内开工亿元以上项目50个。", None),  # 年内 names no deadline
        ("2月份召开会议,增长6%左右。", None),
        ("2022年10月底前编制清单,12月底前动态调整。", "2022年10月底前；12月底前"),
    ],
)
def test_deadline_phrases_in_task_text(text: str, phrase: str | None) -> None:
    assert phrase_in(text) == phrase


PLAN = "某市2023年工作要點\n一、交通\n1.修建東環路。\n責任單位:市交通局\n"  # Big5-safe


@pytest.mark.parametrize("encoding", ["gb18030", "big5", "utf-16"])
def test_chinese_encodings_are_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN.encode(encoding))
    plan = parse_file(path)
    assert plan.tasks[0].text == "修建东环路。" and plan.tasks[0].lead_units == ["市交通局"]


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ("Plan d'action: 1. Réaliser les travaux. Café.\n".encode("cp1252") * 5, "cp125"),
        (SHIFT_JIS_TEXT.encode("shift_jis"), "cp932"),
    ],
)
def test_text_that_is_not_chinese_is_refused_by_encoding(data: bytes, named: str) -> None:
    with pytest.raises(ImportFormatError, match=rf"text in {named}.* is not a Chinese plan"):
        decode(data)
