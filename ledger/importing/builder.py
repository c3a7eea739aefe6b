"""Accumulates sections, tasks and warnings while a reader walks a document."""

from __future__ import annotations

import dataclasses
import re

from ledger.importing.deadlines import parse_deadline, phrase_in
from ledger.importing.model import QUARTERS, ParsedPlan, ParsedSection, ParsedTask, Unread
from ledger.importing.normalize import CN_NUMERAL, int_to_cn, squeeze

_HEADING = re.compile(rf"^\(?({CN_NUMERAL})(?:、|\)|\.)\s*(.*)$")
_COUNT = re.compile(
    r"\s*\(\s*(?:共|计|分解|分解任务|任务|重点任务)?\s*\d+\s*(?:项|个|条|件)"
    r"\s*(?:任务|工作|重点任务)?\s*\)\s*$"
)
_TERMINAL = tuple('。.!?;…)》”"')
_PREVIEW = 30
_SHOWN = 5


def split_heading(text: str) -> tuple[str | None, str]:
    """("一", "统筹优化发展格局") from "一、统筹优化发展格局(11项)"; numeral may be None."""
    text = squeeze(text)
    match = _HEADING.match(text)
    number, title = (match.group(1), match.group(2)) if match else (None, text)
    title = _COUNT.sub("", title).strip(" :。")
    return number, title


class PlanBuilder:
    """Collects what a reader finds; `build` freezes it into a ParsedPlan."""

    def __init__(self) -> None:
        self.sections: list[ParsedSection] = []
        self.tasks: list[ParsedTask] = []
        self.warnings: list[str] = []
        self.section: str | None = None
        self.unread: list[Unread] = []

    def skip(self, first: int, last: int, text: str) -> None:
        """Note lines `first`–`last` as not understood (shown by the dry-run)."""
        self.unread.append(Unread(first, last, text[:_PREVIEW]))

    def warn(self, message: str) -> None:
        """Record a doubt once; repeated identical doubts add nothing."""
        if message not in self.warnings:
            self.warnings.append(message)

    def open_section(self, heading: str) -> None:
        """Make `heading` the current section, reusing it when it was seen before."""
        number, title = split_heading(heading)
        for section in self.sections:
            if section.title == title or (number is not None and section.number == number):
                if section.title != title:
                    self.warn(f"section {number} appears with two titles; kept {section.title!r}")
                self.section = section.number
                return
        number = number or int_to_cn(len(self.sections) + 1)
        if not title:
            self.warn(f"section {number} has no title")
        self.sections.append(ParsedSection(number=number, title=title))
        self.section = number

    @property
    def last_number(self) -> int:
        """Number of the latest task, 0 before the first."""
        return self.tasks[-1].number if self.tasks else 0

    def add_task(
        self,
        number: int,
        text: str,
        units: tuple[list[str], list[str], list[str]],
        milestones: dict[str, str] | None = None,
        *,
        in_cell: bool = False,
        deadline: str | None = None,
    ) -> None:
        """Add a task (units are lead, support, data); prose text must end a sentence.

        Table cells (`in_cell`) often omit the final 。, so only prose is checked for cut-offs.
        `deadline` is a 完成时限 cell or label; without one a phrase in the text ("6月底前").
        """
        text = squeeze(text)
        lead, support, data = units
        if text and not in_cell and not text.endswith(_TERMINAL):
            self.warn(f"task {number}: text ends abruptly (…{text[-12:]}); it may be cut off")
        clean = {q: squeeze(v) for q, v in (milestones or {}).items() if q in QUARTERS and v}
        when = squeeze(deadline or "") or phrase_in(text)
        task = ParsedTask(number, self.section, text, lead, support, data, clean, when)
        self.tasks.append(task)

    def build(self, title: str | None, year: int | None) -> ParsedPlan:
        """Freeze; only sections that hold tasks are kept, in document order."""
        unled = [t.number for t in self.tasks if not t.lead_units]
        if unled and len(unled) == len(self.tasks):
            self.warn("no units found for any task; assign lead units by hand")
        elif unled:
            self.warn(f"no lead unit found for tasks {', '.join(map(str, unled))}")
        used = {t.section for t in self.tasks}
        sections = [s for s in self.sections if s.number in used]
        tasks = [self._dated(task, year) for task in self.tasks]
        if self.unread:
            where = ", ".join(
                f"{u.first}" if u.first == u.last else f"{u.first}–{u.last}"
                for u in self.unread[:_SHOWN]
            )
            more = f" and {len(self.unread) - _SHOWN} more" if len(self.unread) > _SHOWN else ""
            self.warn(f"unread lines (not tasks, units or headings): {where}{more}")
        return ParsedPlan(
            title, year, sections, tasks, list(self.warnings), unread=list(self.unread)
        )

    def _dated(self, task: ParsedTask, year: int | None) -> ParsedTask:
        """The task with its deadline's date; a deadline naming no date is warned about."""
        if not task.deadline_text:
            return task
        when = parse_deadline(task.deadline_text, year)
        if when is None and year is None and parse_deadline(task.deadline_text, 2000):
            self.warn(f"task {task.number}: deadline {task.deadline_text!r} needs the plan's year")
        elif when is None:
            self.warn(
                f"task {task.number}: deadline {task.deadline_text!r} names no date; kept as text"
            )
        return dataclasses.replace(task, deadline=when)
