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
    """One numbered task with its units by role and its quarterly milestones."""

    number: int
    section: str | None
    text: str
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    data_units: list[str] = field(default_factory=list)
    milestones: dict[str, str] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; milestone keys keep Q1..Q4 order."""
        return {
            "number": self.number,
            "section": self.section,
            "text": self.text,
            "lead_units": list(self.lead_units),
            "support_units": list(self.support_units),
            "data_units": list(self.data_units),
            "milestones": {q: self.milestones[q] for q in QUARTERS if q in self.milestones},
        }


@dataclass(frozen=True)
class ParsedPlan:
    """A parsed plan; `warnings` lists what the parser was unsure of."""

    title: str | None
    year: int | None
    sections: list[ParsedSection]
    tasks: list[ParsedTask]
    warnings: list[str]
    issued_on: date | None = None  # the document's own date (发布时间, or under the signature)

    def to_json_dict(self) -> dict[str, Any]:
        """The exact JSON shape documented in the importer contract."""
        return {
            "title": self.title,
            "year": self.year,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "sections": [{"number": s.number, "title": s.title} for s in self.sections],
            "tasks": [t.to_json_dict() for t in self.tasks],
            "warnings": list(self.warnings),
        }
