"""What a log line is about (update, chat, user, unit, period, outbox row), carried by contextvars.

Set where work starts — an update being handled, an outbox row being sent — and enriched where
more becomes known (the unit and period of a stored entry). Every task copies the context it was
created in, so concurrent updates never see each other's fields. The JSON log format
(`ledgerbot/logs.py`) adds these fields to each line; the text format ignores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import Any

FIELDS = ("update_id", "chat_id", "user_id", "unit", "period", "outbox_id", "outbox_kind")
_EMPTY: MappingProxyType[str, Any] = MappingProxyType({})
_context: ContextVar[MappingProxyType[str, Any]] = ContextVar("ledgerbot_log", default=_EMPTY)


def _merged(fields: dict[str, Any]) -> MappingProxyType[str, Any]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown log context fields: {sorted(unknown)}")
    current = dict(_context.get())
    current.update({k: v for k, v in fields.items() if v is not None})
    return MappingProxyType(current)


def bind(**fields: Any) -> Token[MappingProxyType[str, Any]]:
    """Add fields for the rest of the current task (or until `reset(token)`)."""
    return _context.set(_merged(fields))


def reset(token: Token[MappingProxyType[str, Any]]) -> None:
    _context.reset(token)


@contextmanager
def scope(**fields: Any) -> Iterator[None]:
    """Fields that hold inside the `with` block only."""
    token = bind(**fields)
    try:
        yield
    finally:
        _context.reset(token)


def current() -> dict[str, Any]:
    """The fields in force here (a copy)."""
    return dict(_context.get())
