"""The quarterly bulletin as a Word document, laid out like a bureau's 通报: A4, 仿宋 body text,
numbered parts, plain tables — ready to edit and print. The words, labels and cells come from
reports.bulletin, the same as the xlsx workbook's; parts that are per plan get a section per
plan, headed by the plan's title, when the bulletin covers several plans."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run

from reports.bulletin import Bulletin, PlanPart, behind_cells, milestone_cells
from reports.bulletin_words import (
    BEHIND_HEADERS,
    MILESTONE_HEADERS,
    NO_BEHIND,
    NO_LAPSES,
    NO_MILESTONES,
    NO_UNBOUND,
    RANKING_HEADERS,
    UNBOUND_HEADERS,
    heading,
)
from reports.stable import stamp

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


def _paragraph(
    document: object, text: str, *, heading: bool = False, subheading: bool = False
) -> None:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    if not heading:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    font = "黑体" if heading else "楷体" if subheading else BODY_FONT
    _chinese(paragraph.add_run(text), font, 16 if heading else 14, bold=subheading)


def _normal_style(document: object) -> None:
    """Body text in 仿宋 10.5 pt, East Asian glyphs included, so table cells need no own runs."""
    normal = document.styles["Normal"]  # type: ignore[attr-defined]
    normal.font.name, normal.font.size = BODY_FONT, Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def _per_plan(document: object, b: Bulletin, write: Callable[[PlanPart], bool], empty: str) -> None:
    """Each plan's section (its title as a sub-heading when there are several plans)."""
    for part in b.parts:
        if b.several:
            _paragraph(document, part.plan.title, subheading=True)
        if not write(part):
            _paragraph(document, empty)


def _labelled(document: object, first: str, pairs: Sequence[tuple[str, object]]) -> None:
    """A paragraph: `first`, then one "label：value" line per pair with a value."""
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    paragraph.paragraph_format.first_line_indent = Pt(32)
    run = paragraph.add_run(first)
    for label, value in pairs:
        if value not in ("", None):
            run.add_break()
            run.add_text(f"{label}：{value}")
    _chinese(run, BODY_FONT, 14)


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

    _paragraph(document, heading(0), heading=True)
    for line in b.summary:
        _paragraph(document, line)

    _paragraph(document, heading(1), heading=True)

    def milestones(part: PlanPart) -> bool:
        rows = [
            milestone_cells(check, unit, outcome, explanation)
            for check in part.milestones
            for unit, (outcome, explanation) in check.answers.items()
        ]
        if rows:
            _table(document, MILESTONE_HEADERS, rows)
        return bool(rows)

    _per_plan(document, b, milestones, NO_MILESTONES)

    _paragraph(document, heading(2), heading=True)
    if b.ranking_scope():
        _paragraph(document, b.ranking_scope())
    ranking = [
        (*r.cells(), f"{r.on_time_rate:.1%}" if r.on_time_rate is not None else "")
        for r in b.ranking
    ]
    _table(document, RANKING_HEADERS, ranking)

    _paragraph(document, heading(3), heading=True)

    def lapses(part: PlanPart) -> bool:
        for lapse in part.lapses:
            _paragraph(document, lapse.sentence())
        return bool(part.lapses)

    _per_plan(document, b, lapses, NO_LAPSES)

    _paragraph(document, heading(4), heading=True)
    if b.unbound:
        _paragraph(document, b.unbound_note())
        _table(document, UNBOUND_HEADERS, [row.cells() for row in b.unbound])
    else:
        _paragraph(document, NO_UNBOUND)

    _paragraph(document, heading(5), heading=True)

    def behind(part: PlanPart) -> bool:
        for number, entry in enumerate(part.behind, start=1):
            cells = behind_cells(entry)
            first = f"（{number}）任务{cells[0]}（{cells[2]}，{cells[3]}）：{cells[1]}"
            _labelled(document, first, list(zip(BEHIND_HEADERS[4:], cells[4:], strict=True)))
        return bool(part.behind)

    _per_plan(document, b, behind, NO_BEHIND)
    buffer = io.BytesIO()
    document.save(buffer)
    return stamp(buffer.getvalue(), b.made_at)
