"""Result types of the plan-document parser: the contract other code depends on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

QUARTERS = ("Q1", "Q2", "Q3", "Q4")


class ImportFormatError(ValueError):
    """The input is not a usable plan document; the message says what was expected."""


@dataclass(frozen=True)
class ParsedSection:
    """A top-level heading such as "一、统筹优化发展格局"; `number` is its numeral ("一")."""

    number: str
    title: str


@dataclass(frozen=True)
class ParsedTask:
    """One numbered task with its units by role, its quarterly milestones and its deadline.

    `deadline_text` is what the document says (a 完成时限 cell or "6月底前" in the text);
    `deadline` is its date, None when the text names none (长期坚持) or needs the plan's year.
    """

    number: int
    section: str | None
    text: str
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    data_units: list[str] = field(default_factory=list)
    milestones: dict[str, str] = field(default_factory=dict)
    deadline_text: str | None = None
    deadline: date | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; milestone keys keep Q1..Q4 order, the deadline is ISO."""
        return {
            "number": self.number,
            "section": self.section,
            "text": self.text,
            "lead_units": list(self.lead_units),
            "support_units": list(self.support_units),
            "data_units": list(self.data_units),
            "milestones": {q: self.milestones[q] for q in QUARTERS if q in self.milestones},
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
        }


@dataclass(frozen=True)
class Unread:
    """Lines `first`–`last` (1-based) the parser could not place; `text` begins the span."""

    first: int
    last: int
    text: str


@dataclass(frozen=True)
class ParsedPlan:
    """A parsed plan; `warnings` lists what the parser was unsure of, `unread` where."""

    title: str | None
    year: int | None
    sections: list[ParsedSection]
    tasks: list[ParsedTask]
    warnings: list[str]
    issued_on: date | None = None  # the document's own date (发布时间, or under the signature)
    unread: list[Unread] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        """The exact JSON shape documented in the importer contract."""
        return {
            "title": self.title,
            "year": self.year,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "sections": [{"number": s.number, "title": s.title} for s in self.sections],
            "tasks": [t.to_json_dict() for t in self.tasks],
            "warnings": list(self.warnings),
            "unread": [{"first": u.first, "last": u.last, "text": u.text} for u in self.unread],
        }
