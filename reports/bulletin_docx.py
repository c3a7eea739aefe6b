"""The quarterly bulletin as a Word document, laid out like a bureau's 通报: A4, 仿宋 body text,
numbered parts, plain tables — ready to edit and print."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run

from reports.bulletin import Bulletin
from reports.tallies import OUTCOME_LABELS

BODY_FONT, TITLE_FONT = "仿宋", "方正小标宋简体"


def _chinese(run: Run, name: str, size: float, bold: bool = False) -> None:
    """Word picks East Asian glyphs from w:eastAsia, not from the font name alone."""
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _table(document: object, headers: tuple[str, ...], rows: Sequence[Sequence[object]]) -> None:
    """A grid table built at its full size at once: python-docx looks every cell up through the
    whole table, so appending row by row is quadratic (minutes for 2,000 units)."""
    table = document.add_table(rows=len(rows) + 1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    cells = table._cells  # one pass over the grid; `row.cells` would rescan it per row
    width = len(headers)
    for index, header in enumerate(headers):
        _chinese(cells[index].paragraphs[0].add_run(header), BODY_FONT, 10.5, bold=True)
    for index, value in enumerate((v for row in rows for v in row), start=width):
        cells[index].text = str(value)  # in the Normal style's 仿宋 (see _normal_style)


def _paragraph(document: object, text: str, *, heading: bool = False) -> None:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    if not heading:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    _chinese(paragraph.add_run(text), "黑体" if heading else BODY_FONT, 16 if heading else 14)


def _normal_style(document: object) -> None:
    """Body text in 仿宋 10.5 pt, East Asian glyphs included, so table cells need no own runs."""
    normal = document.styles["Normal"]  # type: ignore[attr-defined]
    normal.font.name, normal.font.size = BODY_FONT, Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def bulletin_docx(b: Bulletin) -> bytes:
    document = Document()
    _normal_style(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _chinese(title.add_run(b.title), TITLE_FONT, 22)

    totals, counts = b.totals(), b.outcome_counts()
    summary = (
        f"本季度应报台账{totals.owed}项，按时报送{totals.on_time}项，逾期报送{totals.late}项，"
        f"未报送{totals.missing}项。节点目标应答复{sum(counts.values())}项，其中"
        + "，".join(f"{label}{counts[key]}项" for key, label in OUTCOME_LABELS.items())
        + "。"
    )
    _paragraph(document, "一、总体情况", heading=True)
    _paragraph(document, summary)

    _paragraph(document, "二、节点目标完成情况", heading=True)
    rows: list[tuple[object, ...]] = [
        (c.task.number, c.target, unit.name, OUTCOME_LABELS[outcome], explanation)
        for c in b.milestones
        for unit, (outcome, explanation) in c.answers.items()
    ]
    if rows:
        _table(document, ("序号", "本季度目标", "牵头单位", "完成情况", "情况说明"), rows)
    else:
        _paragraph(document, "本季度无节点目标。")

    _paragraph(document, "三、报送及时率排名", heading=True)
    ranking = [
        (r.rank, r.unit.name, r.tally.owed, r.tally.on_time, r.tally.late, r.tally.missing,
         f"{r.on_time_rate:.0%}" if r.on_time_rate is not None else "—")
        for r in b.ranking
    ]  # fmt: skip
    _table(document, ("排名", "单位", "应报", "按时", "逾期", "未报", "按时率"), ranking)

    _paragraph(document, "四、逾期和未报送情况", heading=True)
    if not b.lapses:
        _paragraph(document, "本季度各单位均按时报送。")
    for lapse in b.lapses:
        parts = []
        if lapse.late:
            parts.append("逾期报送任务" + "、".join(map(str, lapse.late)))
        if lapse.missing:
            parts.append("未报送任务" + "、".join(map(str, lapse.missing)))
        _paragraph(document, f"{lapse.period}：{lapse.unit.name}，{'；'.join(parts)}。")

    _paragraph(document, "五、滞后任务及存在问题", heading=True)
    if not b.behind:
        _paragraph(document, "本季度无滞后任务。")
    for number, entry in enumerate(b.behind, start=1):
        problem = entry.problems or entry.progress
        _paragraph(
            document,
            f"（{number}）任务{entry.task_number}（{entry.unit.name}，{entry.period}）："
            f"{entry.task_text[:60]}。存在问题：{problem}",
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
