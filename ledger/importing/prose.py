"""Numbered-prose plans: "一、" sections, "1." tasks, then 责任单位/牵头单位 lines.

Numbering mixes levels (一、 (一) 1. (1) ①): the first task marker fixes the task level and
style; markers of another style under a task are its sub-items and stay in its text. Lines that
are neither tasks, sub-items, unit lines nor headings are reported as unread, with line numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ledger.importing.builder import PlanBuilder
from ledger.importing.limits import check_time
from ledger.importing.normalize import CN_NUMERAL, cn_to_int, squeeze
from ledger.importing.roles import (
    LABEL_RE,
    LeadRule,
    UnitText,
    parse_labelled,
    resolve,
    strip_unit_tail,
)

_UNIT_LINE = re.compile(rf"^[(\[【]?\s*({LABEL_RE})\s*:\s*(.*?)[)\]】]?$")
_H1 = re.compile(rf"^({CN_NUMERAL})、\s*(\S.{{0,78}})$")
_H2 = re.compile(rf"^\(({CN_NUMERAL})\)\s*(\S.{{0,78}})$")
_H2_TASK = re.compile(rf"^\(({CN_NUMERAL})\)\s*(\S.*)$")
_ARABIC = re.compile(
    r"^\(?(\d{1,3})(\s*[.、)](?!\d)\s*|(?=[\u4e00-\u9fff“\"《])(?![年月日号个项万亿千百元米]))(\S.*)$"
)
_SUB_PAREN = re.compile(r"^\(\d{1,2}\)\s*\S")
_SUB_PLAIN = re.compile(r"^\d{1,2}[.、]\s*\S")
_CN_TASK = re.compile(rf"^任务({CN_NUMERAL})\s*[:、.]?\s*(\S.*)$")
_SENTENCE_GAP = re.compile(r"(?<=[。?!])\s+(?=\S)")
_LONG_LINE = 400
Progress = Callable[[int, int], None]


@dataclass
class _Para:
    text: str
    after_blank: bool
    line: int = 0


@dataclass
class _Draft:
    number: int
    text: str
    units: UnitText = field(default_factory=UnitText)
    open_for_text: bool = True


def paragraphs(text: str) -> list[_Para]:
    """Non-empty lines; very long lines (web copies) are split at sentence gaps."""
    out: list[_Para] = []
    blank = True
    for number, line in enumerate(text.split("\n"), 1):
        line = squeeze(line)
        if not line:
            blank = True
            continue
        pieces = _SENTENCE_GAP.split(line) if len(line) > _LONG_LINE else [line]
        out.extend(_Para(piece, blank or i > 0, number) for i, piece in enumerate(pieces))
        blank = False
    return out


def _has_unit_tail(text: str) -> bool:
    """Whether a paragraph carries its units inline: "(牵头单位:…)" or "(X牵头,Y负责)"."""
    units = UnitText()
    strip_unit_tail(text, units)
    return units.any()


def _task_kind(paras: list[_Para]) -> str | None:
    """Which marker numbers tasks here: "arabic", "cn" (任务一) or "h2" ((一))."""
    texts = [p.text for p in paras]
    if any((m := _ARABIC.match(t)) and m.group(1) == "1" for t in texts):
        return "arabic"
    if any(_CN_TASK.match(t) for t in texts):
        return "cn"
    with_units = any(_UNIT_LINE.match(t) for t in texts) or any(
        _H2_TASK.match(t) and _has_unit_tail(t) for t in texts
    )
    if any(_H2_TASK.match(t) for t in texts) and with_units:
        return "h2"
    return None


class ProseReader:
    """Walks paragraphs once, opening sections and tasks as their markers appear."""

    def __init__(self, builder: PlanBuilder, rule: LeadRule | None) -> None:
        self.builder = builder
        self.rule = rule
        self.draft: _Draft | None = None
        self.notes: list[str] = []
        self.fresh_section = False
        self.paren_tasks = False  # tasks numbered "(1)" rather than "1."
        self.unread: list[_Para] = []

    def read(self, text: str, progress: Progress | None = None) -> None:
        """Parse all tasks of `text` into the builder; `progress(done, total)` per 1,000."""
        paras = paragraphs(text)
        kind = _task_kind(paras)
        if kind is None:
            return
        has_h1 = any(_H1.match(p.text) for p in paras)
        first = next(
            (p.text for p in paras if (m := _ARABIC.match(p.text)) and m.group(1) == "1"), ""
        )
        self.paren_tasks = first.startswith("(")
        for done, para in enumerate(paras, 1):
            if done % 1000 == 0:
                check_time()
                if progress is not None:
                    progress(done, len(paras))
            self._step(para, kind, has_h1)
        self._close()
        for note in self.notes:
            self.builder.warn(note)
        self._report_unread(paras)

    def _report_unread(self, paras: list[_Para]) -> None:
        """Hand the builder line ranges of paragraphs no rule took, consecutive ones merged."""
        index = {id(p): i for i, p in enumerate(paras)}
        spans: list[list[_Para]] = []
        for para in self.unread:
            if spans and index[id(spans[-1][-1])] + 1 == index[id(para)]:
                spans[-1].append(para)
            else:
                spans.append([para])
        for span in spans:
            self.builder.skip(span[0].line, span[-1].line, span[0].text)

    def _step(self, para: _Para, kind: str, has_h1: bool) -> None:
        text = para.text
        task = self._task_marker(text, kind)
        if task is not None:
            self._close()
            self.draft = _Draft(number=task[0], text=task[1])
            self.fresh_section = False
            return
        unit_line = _UNIT_LINE.match(text)
        if unit_line:
            self._unit_line(unit_line.group(1), text)
        elif _H1.match(text):
            self._heading(text)
        elif _H2.match(text) and kind != "h2":
            if has_h1:
                self.builder.warn("subheadings such as (一) are kept inside their sections")
            else:
                self._heading(text)
        elif self.draft and self._is_sub_item(text, kind):
            self.draft.text += " " + text
            self.draft.open_for_text = True
        elif self.draft and self._continues(para):
            self.draft.text += text
        elif self.draft or self.builder.tasks:
            if self.draft:
                self.draft.open_for_text = False
            self.unread.append(para)

    def _is_sub_item(self, text: str, kind: str) -> bool:
        """(1)/① under "1." tasks, 1./(1) under (一) or 任务一 tasks."""
        if kind == "arabic":
            marker = _SUB_PAREN if not self.paren_tasks else _SUB_PLAIN
            return bool(marker.match(text))
        return bool(_ARABIC.match(text))

    def _task_marker(self, text: str, kind: str) -> tuple[int, str] | None:
        """(number, text) if `text` opens the next task in sequence."""
        if kind != "arabic":
            match = (_CN_TASK if kind == "cn" else _H2_TASK).match(text)
            number = cn_to_int(match.group(1)) if match else None
            return (number, match.group(2)) if match and number is not None else None
        arabic = _ARABIC.match(text)
        if arabic is None or text.startswith("(") != self.paren_tasks:
            return None
        # Without a dot ("26共同打造…") only the exact next number counts: digits open many lines.
        number, dotted = int(arabic.group(1)), bool(arabic.group(2).strip())
        expected = (self.draft.number if self.draft else self.builder.last_number) + 1
        restart = dotted and number == 1 and self.fresh_section and expected > 1
        if number == expected or restart:
            return number, arabic.group(3)
        if dotted and expected < number <= expected + 2:
            self.builder.warn(f"task numbers jump from {expected - 1} to {number}")
            return number, arabic.group(3)
        return None

    def _continues(self, para: _Para) -> bool:
        """A hard-wrapped line: no blank before it, and the task text is mid-sentence."""
        draft = self.draft
        if draft is None or not draft.open_for_text or para.after_blank:
            return False
        return not draft.text.endswith(("。", "!", "?", ";"))

    def _heading(self, text: str) -> None:
        self._close()
        self.builder.open_section(text)
        self.fresh_section = True

    def _unit_line(self, label: str, line: str) -> None:
        if self.draft is None:
            self.builder.warn(f"a {label} line before the first task was ignored")
            return
        if line[0] in "([【" and line[-1] in ")]】":
            line = line[1:-1]
        parse_labelled(line, self.draft.units)
        self.draft.open_for_text = False

    def _close(self) -> None:
        """Finish the current task: peel unit brackets off its text, resolve roles."""
        draft, self.draft = self.draft, None
        if draft is None:
            return
        text = strip_unit_tail(draft.text, draft.units)
        roles = resolve(draft.units, self.rule, self.notes)
        self.builder.add_task(draft.number, text, roles, deadline=draft.units.deadline_text())
