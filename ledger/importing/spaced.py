"""Rows of tables flattened with spaces: the task text ends at its last full stop, and what
follows is split by what each word looks like (a deadline, a person, a unit list)."""

from __future__ import annotations

import re

from ledger.importing.deadlines import parse_deadline

_TERMINATORS = ("。", ";", "!", "?", "；")
_UNIT_END = tuple("局委办府部室区县市会心组队站所院校司行馆团镇乡道处科厅社园")
_PERSON = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff] [\u4e00-\u9fff]{1,2}$")
_TITLE_END = ("长", "书记", "主任")
_UNDATED = ("长期坚持", "持续推进", "长期", "常态化", "持续开展", "按进度推进")
UNIT_ROLES = ("lead", "resp", "support", "data")


def join_words(words: list[str]) -> str:
    """Words of one cell: no space where a line broke next to a Chinese character."""
    out = ""
    for word in words:
        cjk = bool(out) and (out[-1] >= "\u2e80" or word[0] >= "\u2e80")
        out += word if cjk or not out else " " + word
    return out


def looks_like_deadline(word: str) -> bool:
    """ "6月底前", "2024年12月底前", "年底前", "长期坚持"."""
    return word in _UNDATED or (len(word) <= 16 and parse_deadline(word, 2000) is not None)


def looks_like_person(word: str) -> bool:
    """ "陈东", "吴 伟", "陈副县长": a name or a title, never a unit."""
    if word.endswith(_TITLE_END) and len(word) <= 6:
        return True
    if not _PERSON.match(word) or word.startswith(("各", "市", "县", "区", "省", "相关", "有关")):
        return False
    return not word.endswith(_UNIT_END)


def split_row(words: list[str], roles: list[str | None]) -> list[str] | None:
    """Cells for `roles` from the words of one line, or None when no full stop ends a text."""
    text_at = roles.index("text")
    number_at = roles.index("number") if "number" in roles else None
    if number_at is not None and number_at != 0:
        return None
    start = text_at if number_at is None else 1
    ends = [i for i in range(start, len(words)) if words[i].endswith(_TERMINATORS)]
    if not ends:
        return None
    last = ends[-1]
    cells = [""] * len(roles)
    if number_at is not None:
        cells[0] = words[0]
    cells[text_at] = join_words(words[start : last + 1])
    units: list[str] = []
    for word in words[last + 1 :]:
        if "deadline" in roles and looks_like_deadline(word):
            cells[roles.index("deadline")] += word
        elif "people" in roles and looks_like_person(word):
            cells[roles.index("people")] += word
        else:
            units.append(word)
    columns = [i for i, role in enumerate(roles) if role in UNIT_ROLES]
    for k, at in enumerate(columns):
        cells[at] = "、".join(units[k:] if k == len(columns) - 1 else units[k : k + 1])
    return cells
