"""Byte-stable Office files: the same data and the same "made at" moment give the same bytes.

openpyxl and python-docx stamp a file with the wall clock in three places: the zip entries'
times (`ZipFile.writestr` and `write` take the current time or a temporary file's), and the
created / modified dates in docProps/core.xml (openpyxl sets both to now). `stamp` rewrites the
archive with every one of them taken from `made_at`, so a re-export of closed periods can be
compared byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from ledger.timetable import to_utc

CORE = "docProps/core.xml"
_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _core(xml: bytes, moment: datetime) -> bytes:
    iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _DATES.sub(lambda m: m.group(1) + iso + m.group(3), xml)


def stamp(data: bytes, made_at: datetime) -> bytes:
    """`data` (an xlsx or docx) with every time in it set to `made_at` (aware; kept in UTC)."""
    moment = to_utc(made_at).replace(microsecond=0)
    when = (max(moment.year, 1980), *moment.timetuple()[1:6])  # zip times start in 1980
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == CORE:
                content = _core(content, moment)
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return buffer.getvalue()
