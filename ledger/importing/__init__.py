"""Plan-document importer: turns a work plan into sections, tasks, units and milestones.

Pure domain code (no database, no Telegram). See TEMPLATE.md for the spreadsheet columns.
"""

from ledger.importing.files import parse_file, write_template
from ledger.importing.model import ImportFormatError, ParsedPlan, ParsedSection, ParsedTask
from ledger.importing.parse import parse_rows, parse_text
from ledger.importing.units import guess_unit_kind, split_units

__all__ = [
    "ImportFormatError",
    "ParsedPlan",
    "ParsedSection",
    "ParsedTask",
    "guess_unit_kind",
    "parse_file",
    "parse_rows",
    "parse_text",
    "split_units",
    "write_template",
]
