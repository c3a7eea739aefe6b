"""Plan title and year: found in the text, since documents rarely label them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from ledger.importing.builder import PlanBuilder
from ledger.importing.normalize import squeeze

_TITLE_END = (
    r"(?:工作要点|行动计划|实施方案|工作方案|任务清单|工作计划|推进方案|重点任务"
    r"|任务表|一览表|要点|计划|方案|大事|清单|台账|分解表|责任分解)"
)
_TITLE_LINE = re.compile(
    rf"^[\u4e00-\u9fff][^。,:;!?|]{{2,48}}{_TITLE_END}(?:\(\d{{4}}[^()]{{0,12}}\))?$"
)
_NOT_TITLE = re.compile(r"^(?:关于|印发)|通知$|^[一二三四五六七八九十\d]+[、.]|^任务")
_QUOTED = re.compile(r"《([^《》]{4,60})》")
_QUOTE_SCAN = 400
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")


def _compact(text: str) -> str:
    """Drop spaces between CJK characters ("2023年 工作要点" is a web-copy artefact)."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", squeeze(text))


def find_title(lines: list[str]) -> str | None:
    """A standalone title line, else the first quoted plan name (《…行动计划(2018—2022年)》)."""
    for line in lines[:200]:
        candidate = _compact(line)
        if _TITLE_LINE.match(candidate) and not _NOT_TITLE.search(candidate):
            return candidate
    for quoted in _QUOTED.findall("\n".join(lines)[:_QUOTE_SCAN]):
        candidate = _compact(quoted)
        if re.search(_TITLE_END, candidate) and not _NOT_TITLE.search(candidate):
            return candidate
    return None


def find_year(title: str | None, text: str, builder: PlanBuilder) -> int | None:
    """The title's year; a year range gives None; without one, the most cited year."""
    years = sorted(set(re.findall(r"(?:19|20)\d\d", title or "")))
    if len(years) == 1:
        return int(years[0])
    if len(years) > 1:
        builder.warn(f"the title spans {years[0]}–{years[-1]}; pass --year to choose one")
        return None
    counts = Counter(_YEAR.findall(text))
    if not counts:
        builder.warn("no year found; pass --year to set it")
        return None
    year, _ = counts.most_common(1)[0]
    builder.warn(f"year {year} guessed from the text (the most cited year)")
    return int(year)


_PUBLISHED = re.compile(
    r"(?:发布|印发|成文)(?:时间|日期)\s*[:：]?\s*((?:19|20)\d\d)[-./年](\d{1,2})[-./月](\d{1,2})"
)
_DATE_LINE = re.compile(r"^((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日$")


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def find_issued_on(lines: list[str]) -> date | None:
    """The document's own date: a `发布时间:` line, else the first line that is only a date (the
    date under the signature, e.g. 2023年3月7日)."""
    for line in lines:
        match = _PUBLISHED.search(line)
        if match and (found := _date(*match.groups())):
            return found
    for line in lines:
        match = _DATE_LINE.match(_compact(line))
        if match and (found := _date(*match.groups())):
            return found
    return None
