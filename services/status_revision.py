"""The numbers a process checks before serving a kept status summary (issue #17).

`status_revision` (migration 0620) holds `value`, changed by every committed write to the tables
the summary reads, and `places`, changed only by writes that can move a unit in the document's
order (plans, tasks, links, which obligations exist). A kept value is served while the number
it was computed under is still the database's. A transaction that wrote and has not committed
(PostgreSQL bumps at commit), or a database missing a trigger (SQLite's batch mode copies
tables without them), never uses a kept value.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from models import StatusRevision

T = TypeVar("T")
KEPT = 16  # values kept per store: (database, period) pairs
TRIGGERS = {"postgresql": 18, "sqlite": 24}  # as migration 0620 creates them

_triggers: dict[str, bool] = {}  # database → all its triggers are there
_stores: list[dict[Any, Any]] = []


@dataclass(frozen=True)
class Revision:
    database: str  # the URL, without password: a process may talk to several (tests)
    value: int | None  # None: nothing may be served from the cache
    places: int | None


def store() -> dict[Any, Any]:
    """A dict of kept values, emptied by `forget()`."""
    kept: dict[Any, Any] = {}
    _stores.append(kept)
    return kept


def keep(kept: dict[Any, Any], key: Any, value: Any) -> None:
    if len(kept) >= KEPT:
        kept.clear()
    kept[key] = value


def forget() -> None:
    """Drop every kept value (tests; a restored database)."""
    for kept in _stores:
        kept.clear()
    _triggers.clear()


async def revision(session: AsyncSession) -> Revision:
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    dialect = session.get_bind().dialect.name
    if database not in _triggers:
        if dialect == "postgresql":
            query = "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'status\\_%' "
            query += "AND NOT tgisinternal"
        else:
            query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
            query += "AND name LIKE 'status_%'"
        _triggers[database] = await session.scalar(text(query)) == TRIGGERS.get(dialect)
    if not _triggers[database]:
        return Revision(database, None, None)
    r = StatusRevision
    if dialect == "postgresql":
        dirty = func.current_setting("ledgerbot.status_dirty", True)
        row = (await session.execute(select(r.value, r.places, dirty).where(r.id == 1))).first()
        if row is None or row[2] == "1":
            return Revision(database, None, None)
    else:
        row = (await session.execute(select(r.value, r.places).where(r.id == 1))).first()
        if row is None:
            return Revision(database, None, None)
    return Revision(database, int(row[0]), int(row[1]))


_derived = store()


async def kept_or(
    session: AsyncSession, name: str, period: Period, compute: Callable[[], Awaitable[T]]
) -> T:
    """A value that the tracked tables alone decide (not the clock), kept per process under
    `value`: `compute()` runs again after any write."""
    now = await revision(session)
    key = (now.database, name, period.key)
    found = _derived.get(key)
    if now.value is not None and found is not None and found[0] == now.value:
        return cast(T, found[1])
    value = await compute()
    if now.value is not None:
        keep(_derived, key, (now.value, value))
    return value
