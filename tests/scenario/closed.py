"""What the closed periods show — as data and as the files staff receive — so that a later
re-import or pause can be checked against it byte for byte."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import re
import time
import zipfile
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook

from ledger.periods import Period, Quarter
from ledger.scoring import Weights
from reports.bulletin import Bulletin, build
from reports.bulletin_docx import bulletin_docx
from reports.bulletin_xlsx import bulletin_xlsx
from reports.data import TaskInfo
from reports.ledger_xlsx import ledger_workbook
from reports.scorecard import ScoreRow, score_rows, scorecard_xlsx
from services.quarter_year_data import quarter_data, year_data
from services.reports import ledgers
from tests.scenario.year import TZ, Year, as_of, at

CLOSED = ("2023-03", "2023-04", "2023-05", "2023-06")
QUARTERS = ("2023Q1", "2023Q2")
MADE_AT = at("2023-07-18 10:00")  # the writers' clock, the same for every rendering
ZIP_TICK = 2.1  # seconds: zip entries' timestamps have a 2-second resolution


def comparable(b: Bulletin) -> Bulletin:
    """The bulletin without what only says when it was made (its stamp and the 统计范围 line's
    "截至" date): what must not change once its periods are closed."""
    summary = [line for line in b.summary if not line.startswith("统计范围")]
    return dataclasses.replace(b, made_at=MADE_AT, summary=summary)


@dataclass(frozen=True)
class Closed:
    statuses: dict[str, dict[str, Any]]  # `ledgerbot status --json` per closed period
    bulletins: dict[str, Bulletin]
    scores: list[ScoreRow]  # the scorecard through June
    files: dict[str, bytes]  # file name → bytes
    rendered: float  # time.monotonic() when the files were written


async def closed_figures(y: Year, when: str) -> Closed:
    statuses = {p: await y.status(p, when) for p in CLOSED}
    bulletins, files = {}, {}
    async with y.step() as s:
        for key in QUARTERS:
            data = await quarter_data(s, quarter=Quarter.parse(key), **as_of(when))
            assert data is not None
            # Stamped with the same made-at every time: the bytes then depend on the data only.
            bulletins[key] = dataclasses.replace(build(data), made_at=MADE_AT)
            files[f"bulletin-{key}.xlsx"] = bulletin_xlsx(bulletins[key])
            files[f"bulletin-{key}.docx"] = bulletin_docx(bulletins[key])
        year = await year_data(s, year=2023, through=Period(2023, 6), **as_of(when))
        assert year is not None
        files["scorecard-2023.xlsx"] = scorecard_xlsx(year, Weights(), TZ, "2023-06", MADE_AT)
        months = await ledgers(s, periods=[Period.parse(p) for p in CLOSED], **as_of(when))
        files["ledger-2023-03..06.xlsx"] = ledger_workbook(months, TZ, MADE_AT)
    return Closed(statuses, bulletins, score_rows(year, Weights()), files, time.monotonic())


async def one_tick_later(before: Closed) -> None:
    """Wait until files written now would carry another zip timestamp (2-second resolution)
    than `before`'s, so that equal bytes prove the writers ignore their clock, not luck."""
    await asyncio.sleep(max(0.0, ZIP_TICK - (time.monotonic() - before.rendered)))


def byte_differences(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """Each file whose bytes changed, with what changed inside the archive: the members whose
    content differs, and those whose content is equal but whose zip entry (its timestamp) is
    not — the writers' own clock, not the ledger."""
    problems = []
    for name in sorted(before):
        if before[name] == after[name]:
            continue
        old, new = (zipfile.ZipFile(io.BytesIO(data)) for data in (before[name], after[name]))
        content = [m for m in old.namelist() if old.read(m) != new.read(m)]
        stamped = [
            m
            for m in old.namelist()
            if m not in content and old.getinfo(m).date_time != new.getinfo(m).date_time
        ]
        problems.append(
            f"{name}: content differs in {content}; zip timestamps differ in "
            f"{len(stamped)} other member(s)"
        )
    return problems


def lines_of(name: str, data: bytes) -> list[str]:
    """The text of a document: per paragraph or table row (docx), per row prefixed with its
    sheet's name (xlsx)."""
    if name.endswith(".docx"):
        document = Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.element.body.iterchildren():  # paragraphs and tables in order
            if block.tag.endswith("}p"):
                lines.append(Paragraph(block, document).text)
            elif block.tag.endswith("}tbl"):
                table = Table(block, document)
                lines += [" ".join(c.text for c in row.cells) for row in table.rows]
        return lines
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [
        " ".join([sheet.title, *(str(v) for v in row if v is not None)])
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]


NUMBERED_PART = r"[一二三四五六七八九十]、"


def shows_unbound(name: str, data: bytes, unit: str, count: int) -> list[str]:
    """The bulletin shows the units nobody could prompt apart, as 未绑定, with their count:
    `unit` on a line that says 未绑定 (or the line after one, or a 未绑定 sheet), and `count` on
    a line that says 未绑定."""
    lines = lines_of(name, data)
    marked = [i for i, line in enumerate(lines) if "未绑定" in line]
    problems = []
    # In Word the units are a table under the 未绑定 part's heading, up to the next "六、".
    heading = next(
        (i for i, line in enumerate(lines) if re.match(r"[一二三四五六七八九十]、未绑定", line)),
        None,
    )
    part = []
    if heading is not None:
        following = (
            i
            for i in range(heading + 1, len(lines))
            if re.match(r"[一二三四五六七八九十]、", lines[i])
        )
        part = lines[heading : next(following, len(lines))]
    if not any(unit in lines[j] for i in marked for j in (i, i + 1) if j < len(lines)) and not any(
        unit in line for line in part
    ):
        problems.append(f"{name}: {unit} is not shown as 未绑定")
    if not any(str(count) in lines[i] for i in marked):
        problems.append(f"{name}: no 未绑定 line gives the count {count}")
    return problems


# A task's lead units as the registry names them *today* (services.reports.task_infos): the
# built bulletin carries them (MilestoneCheck.task.leads) but no document prints them. Who owed
# a report or a check in a closed period comes from the ledger of record and is compared in full.
REGISTRY_NOW = {(TaskInfo, "leads")}


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Where two values built from the same ledger differ: 'milestones[0].answers: …'."""
    if dataclasses.is_dataclass(before) and type(before) is type(after):
        return [
            found
            for f in dataclasses.fields(before)
            if (type(before), f.name) not in REGISTRY_NOW
            for found in differences(
                getattr(before, f.name), getattr(after, f.name), f"{path}.{f.name}"
            )
        ]
    sequences = isinstance(before, list | tuple) and isinstance(after, list | tuple)
    if sequences and len(before) == len(after):
        return [
            d
            for i, pair in enumerate(zip(before, after, strict=True))
            for d in differences(*pair, f"{path}[{i}]")
        ]
    if isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys():
        return [d for k in before for d in differences(before[k], after[k], f"{path}[{k!r}]")]
    return [] if before == after else [f"{path}: {before!r} → {after!r}"]
