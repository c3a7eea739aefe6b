"""Task deadlines: a 完成时限 cell or a phrase such as "6月底前" / "2023年9月底前完成" → a date.

A month without a year takes the plan's year; "年底前" is 31 December; quarters and halves end
on their last day. Text that names no date (长期坚持, 持续推进) is kept as text with a warning.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from ledger.importing.normalize import cn_to_int

_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR = r"(?:((?:19|20)\d\d)\s*年\s*)?"
_DATE = re.compile(
    rf"{_YEAR}(?:{_NUM}\s*月\s*(?:(\d{{1,2}})\s*[日号]|(底|末|上旬|中旬|下旬|初))?"
    rf"|(年底|年末|年内|上半年|下半年|全年)"
    rf"|(?:第)?([一二三四1-4])\s*季度\s*(?:末|底)?)"
)
_ISO = re.compile(r"((?:19|20)\d\d)[-./]\s*(\d{1,2})(?:[-./]\s*(\d{1,2}))?(?![\d])")
_YEAR_END = re.compile(r"((?:19|20)\d\d)\s*年\s*(?:底|末)")
# In task text only phrases that set a deadline count, not every month mentioned.
_PHRASE = re.compile(
    r"(?:(?:19|20)\d\d\s*年\s*(?:底|末)"
    rf"|{_YEAR}(?:{_NUM}\s*月\s*(?:\d{{1,2}}\s*[日号])?(?:底|末)?|年底|年末))\s*(?:前|以前|之前)"
)
_MID = {"上旬": 10, "初": 10, "中旬": 20}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(text: str, year: int | None) -> date | None:
    """The last date `text` names ("3月底前完成设计，6月底前开工" → 30 June), else None."""
    found: list[date] = []
    for match in _YEAR_END.finditer(text):
        found.append(date(int(match.group(1)), 12, 31))
    text = _YEAR_END.sub(" ", text)
    for match in _ISO.finditer(text):
        y, m, d = int(match.group(1)), int(match.group(2)), match.group(3)
        if 1 <= m <= 12:
            found.append(_clamp(y, m, int(d)) if d else _month_end(y, m))
    for match in _DATE.finditer(text):
        when = _one(match, year)
        if when is not None:
            found.append(when)
            year = when.year if match.group(1) else year  # "2022年10月…，12月…": same year
    return max(found) if found else None


def _one(match: re.Match[str], default_year: int | None) -> date | None:
    year_text, month, day, part, whole, quarter = match.groups()
    year = int(year_text) if year_text else default_year
    if year is None:
        return None
    if whole:
        return date(year, 6, 30) if whole == "上半年" else date(year, 12, 31)
    if quarter:
        q = int(quarter) if quarter.isdigit() else cn_to_int(quarter) or 0
        return _month_end(year, q * 3) if 1 <= q <= 4 else None
    m = int(month) if month.isdigit() else cn_to_int(month) or 0
    if not 1 <= m <= 12:
        return None
    if day:
        return _clamp(year, m, int(day))
    if part in _MID:
        return date(year, m, _MID[part])
    return _month_end(year, m)


def _clamp(year: int, month: int, day: int) -> date:
    return date(year, month, min(max(day, 1), calendar.monthrange(year, month)[1]))


def phrase_in(text: str) -> str | None:
    """The deadline phrases of a task's text ("6月底前"; several joined by "；"), else None."""
    phrases = [m.group(0) for m in _PHRASE.finditer(text)]
    return "；".join(dict.fromkeys(phrases)) or None
