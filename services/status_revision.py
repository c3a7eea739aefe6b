"""The numbers a process checks before serving a kept status summary (issue #17).

`status_revision` (migration 0620) holds `value`, changed by every committed write to the tables
the summary reads, and `places`, changed only by writes that can move a unit in the document's
order (plans, tasks, links, which obligations exist). A kept value is served while the number
it was computed under is still the database's. A transaction that wrote and has not committed
(PostgreSQL bumps at commit), or a database missing a trigger (SQLite's batch mode copies
tables without them), never uses a kept value.

`clock` orders `status_marks` (migration 0630): after a write, `marked_since` says which units
of a period changed since a kept value was counted, and only those are counted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from models import StatusMark, StatusRevision

KEPT = 16  # values kept per store: (database, period) pairs
TRIGGERS = {"postgresql": (18, 4), "sqlite": (24, 12)}  # as migrations 0620 and 0630 create them
CHANGES = "ledgerbot.status_changes"  # SQLite: total_changes() when the transaction began
MARKED_AT_MOST = 200  # more units marked than this: counting them all is as quick

_triggers: dict[str, bool] = {}  # database → all its triggers are there
_stores: list[dict[Any, Any]] = []


@dataclass(frozen=True)
class Revision:
    database: str  # the URL, without password: a process may talk to several (tests)
    value: int | None  # None: nothing may be served from the cache
    places: int | None
    clock: int | None = None  # the last number in status_marks


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


def _note_changes(connection: Connection) -> None:
    """At BEGIN (SQLite): the connection's changes so far, to tell a transaction that wrote."""
    connection.info[CHANGES] = connection.exec_driver_sql("SELECT total_changes()").scalar()


async def revision(session: AsyncSession) -> Revision:
    engine = session.get_bind().engine
    database = engine.url.render_as_string(hide_password=True)
    dialect = session.get_bind().dialect.name
    if database not in _triggers:
        counts = "SELECT sum(CASE WHEN {name} LIKE 'status\\_%' ESCAPE '\\' THEN 1 ELSE 0 END), "
        counts += "sum(CASE WHEN {name} LIKE 'marks\\_%' ESCAPE '\\' THEN 1 ELSE 0 END) "
        if dialect == "postgresql":
            query = counts.format(name="tgname") + "FROM pg_trigger WHERE NOT tgisinternal"
        else:
            query = counts.format(name="name") + "FROM sqlite_master WHERE type = 'trigger'"
        found = (await session.execute(text(query))).one()
        _triggers[database] = (found[0], found[1]) == TRIGGERS.get(dialect)
    if not _triggers[database]:
        return Revision(database, None, None)
    r = StatusRevision
    if dialect == "postgresql":
        dirty = func.current_setting("ledgerbot.status_dirty", True)
        row = (await session.execute(select(r.value, r.places, dirty).where(r.id == 1))).first()
        if row is None or row[2] == "1":
            return Revision(database, None, None)
        return Revision(database, int(row[0]), int(row[1]), int(row[0]))
    # SQLite has no statement to say this transaction wrote: its changes since BEGIN do
    if not event.contains(engine, "begin", _note_changes):
        event.listen(engine, "begin", _note_changes)  # from the next transaction on
        return Revision(database, None, None)
    changes = func.total_changes()
    read = await session.execute(select(r.value, r.places, r.marked, changes).where(r.id == 1))
    mine = read.first()
    began = (await session.connection()).info.get(CHANGES)
    if mine is None or began is None or mine[3] != began:
        return Revision(database, None, None)
    return Revision(database, int(mine[0]), int(mine[1]), int(mine[2]))


async def marked_since(
    session: AsyncSession, current: Revision, kept: Revision, period: Period
) -> set[int] | None:
    """The units of `period` that writes committed after `kept` touched, read under `current`;
    None when all must be counted again (another database or order, the period itself
    changed, or many units). On PostgreSQL `clock` follows commit order: every mark up to
    `current.clock` is visible, and any later one seen too is counted again next time."""
    if (
        current.clock is None or kept.clock is None or current.database != kept.database
        or current.places is None or current.places != kept.places or current.clock < kept.clock
    ):  # fmt: skip
        return None
    m = StatusMark
    rows = (
        await session.execute(
            select(m.unit_id)
            .where(m.mark > kept.clock, m.period.in_((period.key, "")))
            .limit(MARKED_AT_MOST + 1)
        )
    ).all()
    marked = {int(unit_id) for (unit_id,) in rows}
    if len(rows) > MARKED_AT_MOST or 0 in marked:  # rows cut off may hold the whole period
        return None
    return marked
