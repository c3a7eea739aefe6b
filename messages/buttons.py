"""The button protocol: every inline button's callback data as a small typed payload.

Each payload class has a short prefix and its fields in order, packed as `prefix:field:field`
(Telegram allows 64 bytes). Payloads are stored in outbox rows and live on in users' chats for
months, so the format is versioned by prefix: a payload whose shape changes gets a new prefix,
and the old prefix stays decodable (`rt:<task number>` from before plans had codes is read as
`LegacyTask`). Nothing outside this module builds or splits callback data; what a button may do
is decided again on the server from who pressed it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, ClassVar, TypeVar

from ledger.vocab import EntryStatus, MilestoneOutcome

MAX_BYTES = 64
MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds (PostgreSQL and SQLite alike)


class Button:
    """Base of all payloads; subclasses are frozen dataclasses with a PREFIX."""

    PREFIX: ClassVar[str]


@dataclass(frozen=True)
class PickTask(Button):
    """A task button under a prompt, a reminder or /tasks."""

    PREFIX: ClassVar[str] = "ti"
    task_id: int


@dataclass(frozen=True)
class LegacyTask(Button):
    """A task button from before plans had codes: the task's number within the unit's tasks."""

    PREFIX: ClassVar[str] = "rt"
    number: int


@dataclass(frozen=True)
class PickPlan(Button):
    """After "several plans have task N": the task of the chosen plan."""

    PREFIX: ClassVar[str] = "rp"
    task_id: int


@dataclass(frozen=True)
class PickStatus(Button):
    PREFIX: ClassVar[str] = "rs"
    status: EntryStatus


@dataclass(frozen=True)
class SkipStep(Button):
    PREFIX: ClassVar[str] = "rk"


@dataclass(frozen=True)
class Confirm(Button):
    """[提交] (submit) or [修改] (edit) under the summary."""

    PREFIX: ClassVar[str] = "rc"
    action: str  # "s" submit, "e" edit

    def __post_init__(self) -> None:
        if self.action not in ("s", "e"):
            raise ValueError(self.action)


@dataclass(frozen=True)
class EditField(Button):
    """One field to change, from the menu [修改] opens under the summary."""

    PREFIX: ClassVar[str] = "rf"
    field: str

    FIELDS: ClassVar[tuple[str, ...]] = ("status", "progress", "problems", "next_steps", "evidence")

    def __post_init__(self) -> None:
        if self.field not in self.FIELDS:
            raise ValueError(self.field)


@dataclass(frozen=True)
class SubmitAll(Button):
    """[提交全部] under the summary of a message that reported several tasks."""

    PREFIX: ClassVar[str] = "ra"


@dataclass(frozen=True)
class Approve(Button):
    PREFIX: ClassVar[str] = "ap"
    entry_id: int


@dataclass(frozen=True)
class Return(Button):
    PREFIX: ClassVar[str] = "rj"
    entry_id: int


@dataclass(frozen=True)
class AnswerMilestone(Button):
    PREFIX: ClassVar[str] = "mc"
    milestone_id: int
    outcome: MilestoneOutcome


@dataclass(frozen=True)
class StatusPage(Button):
    PREFIX: ClassVar[str] = "sp"
    period: str
    page: int

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{4}-\d{2}", self.period):
            raise ValueError(self.period)


@dataclass(frozen=True)
class ChooseUnit(Button):
    """After an ambiguous unit name: run `command` again for the chosen unit, with the rest of
    what was typed (a task number, a period)."""

    PREFIX: ClassVar[str] = "cu"
    command: str
    unit_id: int
    rest: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z]{1,12}", self.command) or ":" in self.rest:
            raise ValueError(self.command)


@dataclass(frozen=True)
class ImportUpload(Button):
    """[导入] (import) or [取消] (cancel) under the dry run of a plan document an admin sent."""

    PREFIX: ClassVar[str] = "iu"
    upload_id: int
    action: str  # "i" import, "c" cancel

    def __post_init__(self) -> None:
        if self.action not in ("i", "c"):
            raise ValueError(self.action)


@dataclass(frozen=True)
class Urge(Button):
    """[催办] beside a unit in /overdue and /status UNIT: chase it about `period`."""

    PREFIX: ClassVar[str] = "ug"
    unit_id: int
    period: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{4}-\d{2}", self.period):
            raise ValueError(self.period)


@dataclass(frozen=True)
class DecideExtension(Button):
    """[同意] / [不同意] under a 延期申请 sent to staff."""

    PREFIX: ClassVar[str] = "xd"
    request_id: int
    answer: str  # "y" approve, "n" decline

    def __post_init__(self) -> None:
        if self.answer not in ("y", "n"):
            raise ValueError(self.answer)


@dataclass(frozen=True)
class DecideClosure(Button):
    """销号: the principal's [同意销号] / [退回] (step "p"), staff's [确认销号] / [退回] ("s")."""

    PREFIX: ClassVar[str] = "cz"
    closure_id: int
    step: str
    answer: str  # "y" approve / confirm, "n" send back

    def __post_init__(self) -> None:
        if self.step not in ("p", "s") or self.answer not in ("y", "n"):
            raise ValueError(f"{self.step}:{self.answer}")


@dataclass(frozen=True)
class ApproveAllPending(Button):
    """[全部审定通过] under a principal's /pending."""

    PREFIX: ClassVar[str] = "pa"


@dataclass(frozen=True)
class Acknowledge(Button):
    """[签收] under a plan's assignment (交办) to a unit."""

    PREFIX: ClassVar[str] = "ak"
    assignment_id: int


PAYLOADS: dict[str, type[Button]] = {
    cls.PREFIX: cls
    for cls in (PickTask, LegacyTask, PickPlan, PickStatus, SkipStep, Confirm, Approve, Return,
                AnswerMilestone, StatusPage, ChooseUnit, ImportUpload, Urge, DecideExtension,
                DecideClosure, ApproveAllPending, Acknowledge, EditField, SubmitAll)
}  # fmt: skip
B = TypeVar("B", bound=Button)


def _text(value: object) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


def encode(button: Button) -> str:
    """`prefix:field:…` of a payload; ValueError if it would exceed Telegram's 64 bytes."""
    values = [_text(getattr(button, f.name)) for f in fields(button)]  # type: ignore[arg-type]
    data = ":".join([button.PREFIX, *values])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def _number(text: str) -> int:
    """An id or number: ASCII digits that fit an INTEGER column, else ValueError (tampered)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_ID:
        raise ValueError(text)
    return int(text)


# Field types by their annotation (a string: this module uses postponed annotations).
_READERS: dict[str, Callable[[str], Any]] = {
    "int": _number,
    "str": str,
    "EntryStatus": EntryStatus,
    "MilestoneOutcome": MilestoneOutcome,
}


def decode(data: str | None) -> Button | None:
    """The payload of a button, or None for anything this bot never sent (forged or stale
    data of an unknown shape): callers refuse those."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    prefix, *parts = data.split(":")
    cls = PAYLOADS.get(prefix)
    if cls is None:
        return None
    shape = fields(cls)  # type: ignore[arg-type]
    if len(parts) != len(shape):
        return None
    try:
        return cls(*(_READERS[str(f.type)](p) for f, p in zip(shape, parts, strict=True)))
    except ValueError:
        return None


def pattern(*classes: type[Button]) -> str:
    """A CallbackQueryHandler pattern matching the given payloads' prefixes."""
    return r"^(?:" + "|".join(re.escape(c.PREFIX) for c in classes) + r")(?::|$)"


def as_(data: str | None, cls: type[B]) -> B | None:
    """Decode and check the payload is a `cls`; None otherwise."""
    button = decode(data)
    return button if isinstance(button, cls) else None
