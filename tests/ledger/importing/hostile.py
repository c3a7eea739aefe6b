"""Generators of hostile import files, written on the fly (never committed): tests and bench.

Each function writes one file into `folder` and returns its path. Sizes are parameters so the
tests can use small files that still cross a (lowered) limit, and the bench the full sizes of
issue 11.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="任务" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_DOCX_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
    'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application'
    '/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _xlsx(path: Path, sheet_xml: str | bytes, *, compress: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compress, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def huge_dimension_xlsx(folder: Path) -> Path:
    """A few KB whose sheet claims A1:XFD1048576 and has cells in both far corners."""
    cells = [_inline("A1", "序号"), _inline("B1", "任务内容"), _inline("C1", "牵头单位")]
    body = (
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        f'<row r="1">{"".join(cells)}<c r="XFD1"><v>1</v></c></row>'
        f'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    return _xlsx(folder / "dimension.xlsx", _SHEET_HEAD + body)


def zip_bomb_xlsx(folder: Path, megabytes: int = 1500) -> Path:
    """A sheet of `megabytes` MB of repeated rows, deflated to a tiny archive (streamed in)."""
    path = folder / "bomb.xlsx"
    row = '<row><c t="inlineStr"><is><t>' + "推进" * 200 + "</t></is></c></row>"
    chunk = (row * (1_000_000 // len(row.encode()) + 1)).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((_SHEET_HEAD + "<sheetData>").encode())
            written = 0
            while written < megabytes * 1_000_000:
                sheet.write(chunk)
                written += len(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def zip_bomb_docx(folder: Path, megabytes: int = 1500) -> Path:
    """A .docx whose document.xml is `megabytes` MB of one repeated paragraph."""
    path = folder / "bomb.docx"
    para = "<w:p><w:r><w:t>" + "推进" * 200 + "</w:t></w:r></w:p>"
    chunk = (para * (1_000_000 // len(para.encode()) + 1)).encode()
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as document:
            document.write(f'<?xml version="1.0"?><w:document {namespace}><w:body>'.encode())
            written = 0
            while written < megabytes * 1_000_000:
                document.write(chunk)
                written += len(chunk)
            document.write(b"</w:body></w:document>")
    return path


def billion_laughs_xlsx(folder: Path) -> Path:
    """Nested entities that would expand to ~3 GB if a parser resolved them."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<!DOCTYPE worksheet [{entities}]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{_inline("A1", "&lol9;")}</row></sheetData></worksheet>'
    )
    return _xlsx(folder / "laughs.xlsx", sheet)


def big_text(folder: Path, megabytes: float = 100, suffix: str = ".txt") -> Path:
    """About `megabytes` MB (never more) of plan-like lines (.txt) or rows (.csv)."""
    path = folder / f"big{suffix}"
    if suffix == ".csv":
        line = "1,推进重点项目建设。,市发展改革委,市财政局\n"
        head = "序号,任务内容,牵头单位,配合单位\n"
    else:
        line = "1.推进重点项目建设，完成年度投资计划。\n责任单位:市发展改革委,市财政局\n"
        head = "某市2023年工作要点\n"
    unit = line.encode()
    block = unit * (1_000_000 // len(unit))
    size = int(megabytes * 1_000_000)
    with path.open("wb") as handle:
        written = handle.write(head.encode())
        while written + len(block) <= size:
            written += handle.write(block)
        handle.write(unit * ((size - written) // len(unit)))
    return path


SHIFT_JIS_TEXT = (
    "令和5年度 業務計画\n1.道路の整備を進める。\n担当:建設課\n"
    "2.観光振興のための施策を実施する。\n担当:観光課\n"
)


def shift_jis_text(folder: Path) -> Path:
    """A small Japanese plan in Shift-JIS: GB18030 decodes it to mojibake without an error."""
    path = folder / "japanese.txt"
    path.write_bytes(SHIFT_JIS_TEXT.encode("shift_jis"))
    return path


_ALPHABET = "推进建设发展改革项目完成工作重点城市交通产业服务管理制度创新协同生态环境民生保障"


def _random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(_ALPHABET, k=length))


def dense_docx(folder: Path, megabytes: float = 49) -> Path:
    """A .docx just inside the default limits: ~`megabytes` MB of XML that compresses ~5:1."""
    rng = random.Random(7)
    path = folder / "dense.docx"
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as document:
            document.write(f'<?xml version="1.0"?><w:document {namespace}><w:body>'.encode())
            written, number = 0, 0
            while written < megabytes * 1_000_000 - 2000:
                number += 1
                para = f"{number}.{_random_text(rng, 60)}。"
                unit = "责任单位:市发展改革委,市财政局"
                xml = "".join(
                    f'<w:p><w:pPr><w:spacing w:after="0"/></w:pPr><w:r><w:rPr><w:rFonts '
                    f'w:eastAsia="仿宋"/><w:sz w:val="32"/></w:rPr><w:t>{text}</w:t></w:r></w:p>'
                    for text in (para, unit)
                ).encode()
                written += document.write(xml)
            document.write(b"</w:body></w:document>")
    return path


def dense_xlsx(folder: Path, cells: int = 490_000) -> Path:
    """A sheet of `cells` cells in 10 template columns: just inside the default cell limit."""
    import openpyxl

    from ledger.importing.files import TEMPLATE_COLUMNS

    rng = random.Random(7)
    path = folder / "dense.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("任务")
    sheet.append(list(TEMPLATE_COLUMNS))
    for number in range(1, cells // len(TEMPLATE_COLUMNS)):
        text = _random_text(rng, 40)
        sheet.append(
            ["", number, text, "市发展改革委", "市财政局", "", "3月底前", "6月底前", "", ""]
        )
    workbook.save(path)
    return path


def two_column_csv(folder: Path, rows: int = 99_990) -> Path:
    """The most tasks the default cell limit lets through: 任务内容 and 牵头单位 only."""
    path = folder / "two.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("任务内容,牵头单位\n")
        for number in range(1, rows):
            handle.write(f"修建道路第{number}段。,市交通局\n")
    return path
