"""Task text is cut only at a clause boundary; the same data and "made at" give the same bytes."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import docx
import pytest

from ledger.scoring import Weights
from reports.bulletin import build
from reports.bulletin_docx import bulletin_docx
from reports.bulletin_words import brief
from reports.bulletin_xlsx import bulletin_xlsx
from reports.ledger_xlsx import ledger_workbook
from reports.scorecard import scorecard_xlsx
from reports.stable import stamp
from tests.reports import two_plans as t

TZ = ZoneInfo("Asia/Shanghai")
CLAUSES = "一二三四五六七八九十" * 2  # 20 characters without any punctuation


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("协同畅通公路网体系。", 60, "协同畅通公路网体系。"),  # short: whole
        ("  前后有空格。 ", 60, "前后有空格。"),
        # 72 characters; the last boundary before 60 is the third "，" (index 58)
        (t.BIG_TEXT, 60, "加快推进成资大道、成资渝高速等重大交通项目建设，确保控制性工程如期开工，"
                         "力争年底前完成主体工程建设任务并实现通车运营……"),
        (f"{CLAUSES}。{CLAUSES}；{CLAUSES}", 45, f"{CLAUSES}。{CLAUSES}……"),
        (f"{CLAUSES},{CLAUSES}", 30, f"{CLAUSES}……"),  # an ASCII comma is a boundary too
        (f"{CLAUSES}{CLAUSES}{CLAUSES}，尾", 30, f"{CLAUSES}{CLAUSES}{CLAUSES}，尾"),  # none: whole
        ("、".join([CLAUSES] * 4), 30, "、".join([CLAUSES] * 4)),  # 、 is not a clause boundary
        ("，" + CLAUSES * 4, 30, "，" + CLAUSES * 4),  # a boundary at 0 would leave nothing
    ],
)  # fmt: skip
def test_brief_cuts_only_at_a_clause_boundary(text: str, limit: int, expected: str) -> None:
    assert brief(text, limit) == expected
    if expected.endswith("……"):
        kept = expected.removesuffix("……")
        assert text.strip().startswith(kept) and text.strip()[len(kept)] in "。；，,;"


SH = timezone(timedelta(hours=8))
MADE_AT = datetime(2023, 7, 12, 10, 0, 5, tzinfo=SH)  # 02:00:05 UTC


def _ledger(made_at: datetime) -> bytes:
    return ledger_workbook(t.ledgers(), TZ, made_at)


def _bulletin_docx(made_at: datetime) -> bytes:
    data = t.quarter()
    return bulletin_docx(build(type(data)(**{**data.__dict__, "as_of": made_at})))


def _bulletin_xlsx(made_at: datetime) -> bytes:
    data = t.quarter()
    return bulletin_xlsx(build(type(data)(**{**data.__dict__, "as_of": made_at})))


def _scorecard(made_at: datetime) -> bytes:
    return scorecard_xlsx(t.year(), Weights(), TZ, "2023-06", made_at)


WRITERS: dict[str, Callable[[datetime], bytes]] = {
    "ledger": _ledger,
    "bulletin.docx": _bulletin_docx,
    "bulletin.xlsx": _bulletin_xlsx,
    "scorecard": _scorecard,
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_documents_are_byte_stable_and_stamped_with_made_at(name: str) -> None:
    write = WRITERS[name]
    first = write(MADE_AT)
    assert write(MADE_AT) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    # Every zip entry and both core dates carry the made-at moment (in UTC), not the clock's.
    assert {info.date_time for info in archive.infolist()} == {(2023, 7, 12, 2, 0, 4)}
    core = archive.read("docProps/core.xml").decode()
    dates = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
    assert sorted(dates) == [
        ("created", "2023-07-12T02:00:05Z"),
        ("modified", "2023-07-12T02:00:05Z"),
    ]
    later = write(MADE_AT + timedelta(days=400))
    assert later != first
    if name == "bulletin.docx":
        props = docx.Document(io.BytesIO(first)).core_properties
        assert props.created == props.modified == MADE_AT


def test_stamp_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="naive"):
        stamp(_ledger(MADE_AT), datetime(2023, 7, 12))


def test_stamp_keeps_every_part() -> None:
    original = _ledger(MADE_AT)
    stamped = stamp(original, datetime(2001, 1, 1, tzinfo=UTC))
    before, after = (zipfile.ZipFile(io.BytesIO(d)) for d in (original, stamped))
    assert before.namelist() == after.namelist()
    for name in before.namelist():
        if name != "docProps/core.xml":
            assert before.read(name) == after.read(name)
