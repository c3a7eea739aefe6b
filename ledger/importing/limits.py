"""Bounds on what an import may cost, whatever the input: size, unpacked size, cells, time.

The defaults are far above any real plan document (a 10,000-task sheet is about 1 MB, a plan
in Word a few MB) and keep the peak memory of one import under 500 MB (see bench/README.md).
A file over a limit is refused with one line naming the limit and its setting.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from ledger.importing.model import ImportFormatError

MB = 1_000_000
_XML_HEAD = 65536  # a DTD must come before the root element: the head of a part shows it
_SMALL_MEMBER = MB  # below this, compression ratios say nothing


@dataclass(frozen=True)
class Limits:
    """Ceilings of one import; each maps to a LEDGERBOT_IMPORT_… setting."""

    max_file_bytes: int = 10 * MB
    max_unpacked_bytes: int = 20 * MB
    max_ratio: float = 100.0
    max_cells: int = 200_000
    time_budget_s: float = 120.0


_BUDGET: ContextVar[float | None] = ContextVar("import_deadline", default=None)
_LIMITS: ContextVar[Limits | None] = ContextVar("import_limits", default=None)


@contextmanager
def bounded(limits: Limits) -> Iterator[None]:
    """Run an import under `limits`: `check_time` and `current` see them in this context."""
    deadline = time.monotonic() + limits.time_budget_s
    tokens = (_BUDGET.set(deadline), _LIMITS.set(limits))
    try:
        yield
    finally:
        _BUDGET.reset(tokens[0])
        _LIMITS.reset(tokens[1])


def current() -> Limits:
    """The limits in force (the defaults outside `bounded`)."""
    return _LIMITS.get() or Limits()


def check_time() -> None:
    """Refuse once the time budget is spent; cheap enough to call per row or paragraph."""
    deadline = _BUDGET.get()
    if deadline is not None and time.monotonic() > deadline:
        budget = current().time_budget_s
        raise ImportFormatError(
            f"reading took longer than {budget:g} s (LEDGERBOT_IMPORT_TIME_BUDGET_S): "
            "expected a plan document, not a data dump"
        )


def check_size(path: Path) -> int:
    """The file's size, refused above the file-size limit before a byte is read."""
    size = path.stat().st_size
    limit = current().max_file_bytes
    if size > limit:
        raise ImportFormatError(
            f"{path.name} is {size / MB:.1f} MB, over the limit of {limit / MB:g} MB "
            "(LEDGERBOT_IMPORT_MAX_FILE_MB): expected a plan document"
        )
    return size


def check_archive(path: Path) -> None:
    """Refuse zip bombs and XML with DTDs in an .xlsx/.docx before any parser opens it.

    Python's zipfile never inflates a member past its declared size, so the declared sizes
    bound what the readers can unpack; the ratio catches bombs that declare honestly.
    """
    limits = current()
    kind = path.suffix.lower().lstrip(".")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > limits.max_unpacked_bytes:
                raise ImportFormatError(
                    f"{path.name} unpacks to {total / MB:.0f} MB, over the limit of "
                    f"{limits.max_unpacked_bytes / MB:g} MB (LEDGERBOT_IMPORT_MAX_UNPACKED_MB)"
                )
            for member in members:
                _check_member(archive, member, limits, path.name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        message = str(exc).split("\n")[0]
        raise ImportFormatError(
            f"unreadable .{kind} ({message}): expected an Office 2007+ file"
        ) from exc


def _check_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits, name: str
) -> None:
    ratio = member.file_size / max(1, member.compress_size)
    if member.file_size > _SMALL_MEMBER and ratio > limits.max_ratio:
        raise ImportFormatError(
            f"{name}: part {member.filename} is compressed {ratio:.0f}:1, over the limit of "
            f"{limits.max_ratio:g}:1 (LEDGERBOT_IMPORT_MAX_RATIO): a zip bomb, not a plan"
        )
    if member.filename.endswith((".xml", ".rels")) and member.file_size:
        with archive.open(member) as handle:
            head = handle.read(_XML_HEAD)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise ImportFormatError(
                f"{name}: part {member.filename} declares a DTD or entities, which Office "
                "files never do: refused"
            )


def check_cells(count: int, what: str = "cells") -> None:
    """Refuse a table (or a text, counted in lines) past the cell limit."""
    limit = current().max_cells
    if count > limit:
        raise ImportFormatError(
            f"the document has more than {limit:,} {what} (LEDGERBOT_IMPORT_MAX_CELLS): "
            "expected a plan, not a data dump"
        )
