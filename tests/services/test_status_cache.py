"""The per-process summary cache (services.status_summary) is never stale: a write committed by
another process, another session or this one, a due instant passing, and a rolled-back write
all show in the next /status; a summary is served again only while nothing it reads changed.
On real SQLite and PostgreSQL; figures by hand as in tests/services/test_status_summary.py."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

from sqlalchemy import TextClause, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.vocab import EntryStatus
from models import Obligation, ProgressEntry, StatusRevision, Task, Unit
from models.db import make_engine, make_session_factory, transaction
from services.digest import digest_data
from services.status import period_status
from services.status_revision import forget
from services.status_summary import period_summary
from tests.services.test_ledger_of_record import as_of
from tests.services.test_status_summary import MARCH, figures, world

AFTER = "2023-04-13 09:00"  # after the 2023-03 deadline (end of 2023-04-07)
ROOT = Path(__file__).resolve().parents[2]


async def seeded(factory: async_sessionmaker[AsyncSession]) -> None:
    forget()
    async with transaction(factory) as s:
        await world(s)
        await period_summary(s, period=MARCH, **as_of(AFTER))  # opens the ledger


async def summary(factory: async_sessionmaker[AsyncSession], moment: str = AFTER) -> list:
    async with factory() as s:
        return (await period_summary(s, period=MARCH, **as_of(moment))).units


async def aggregate(factory: async_sessionmaker[AsyncSession], moment: str = AFTER) -> list:
    async with factory() as s:
        return [figures(u) for u in (await period_status(s, period=MARCH, **as_of(moment))).units]


async def transport_task_2(s: AsyncSession) -> int:
    return int(
        await s.scalar(
            select(Obligation.id)
            .join(Unit, Unit.id == Obligation.unit_id)
            .join(Task, Task.id == Obligation.task_id)
            .where(Unit.name == "市交通运输局", Task.number == 2, Obligation.period == "2023-03")
        )
    )


async def test_served_again_until_another_process_writes(
    session_factory: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    await seeded(session_factory)
    first = await summary(session_factory)
    assert await summary(session_factory) is first  # nothing changed: kept
    assert figures(first[0]) == ("市交通运输局", 2, 1, 0, 0, 1, 1, 1, False, False, 0, 0)
    async with session_factory() as s:
        obligation = await transport_task_2(s)
    script = textwrap.dedent(f"""
        import asyncio
        from datetime import datetime, UTC
        from sqlalchemy import update
        from models import Obligation
        from models.db import make_engine
        async def main():
            engine = make_engine({db_url!r})
            async with engine.begin() as conn:
                await conn.execute(update(Obligation).where(Obligation.id == {obligation})
                                   .values(counted_at=datetime(2023, 4, 6, 2, tzinfo=UTC)))
            await engine.dispose()
        asyncio.run(main())
    """)
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=ROOT)
    assert await asyncio.wait_for(process.wait(), 120) == 0
    after = await summary(session_factory)
    # By hand: 交通's task 2 now counted on time: 2 of 2, complete, so it moves among the
    # complete units, before 发改 (task 1 comes before task 5).
    assert [figures(u) for u in after] == await aggregate(session_factory)
    assert figures(after[-2]) == ("市交通运输局", 2, 2, 0, 0, 0, 0, 1, False, True, 0, 0)


async def test_a_write_from_another_session_shows(
    session_factory: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    """Another engine (a second replica's pool) renames a unit: the name shows at once."""
    await seeded(session_factory)
    await summary(session_factory)
    other = make_engine(db_url)
    try:
        async with transaction(make_session_factory(other)) as s:
            await s.execute(update(Unit).where(Unit.name == "未绑定单位").values(name="新单位"))
    finally:
        await other.dispose()
    names = [u.unit for u in await summary(session_factory)]
    assert names == ["市交通运输局", "市水务局", "新单位", "市住房城乡建设局", "市发展改革委"]


async def test_the_due_instant_passing_counts_again(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seeded(session_factory)
    before = await summary(session_factory, "2023-04-05 09:00")
    assert sum(u.overdue for u in before) == 0
    after = await summary(session_factory, AFTER)  # no write, but the deadline passed
    assert sum(u.overdue for u in after) == 2  # 交通's task 2 and 未绑定's task 7
    assert [figures(u) for u in after] == await aggregate(session_factory)


async def test_an_uncommitted_write_is_seen_by_its_own_transaction_only(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seeded(session_factory)
    kept = [figures(u) for u in await summary(session_factory)]
    async with session_factory() as s:
        await s.execute(
            update(Obligation).where(Obligation.id == await transport_task_2(s))
            .values(counted_at=as_of("2023-04-06 10:00")["now"])
        )  # fmt: skip
        mine = (await period_summary(s, period=MARCH, **as_of(AFTER))).units
        assert figures(mine[-2])[:3] == ("市交通运输局", 2, 2)
        await s.rollback()
    assert [figures(u) for u in await summary(session_factory)] == kept


async def test_every_write_changes_the_revision(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """The triggers are on every table the summary reads; a later migration that copies one of
    these tables (SQLite batch mode) without them fails here."""
    await seeded(session_factory)

    async def revision() -> int:
        async with session_factory() as s:
            return int(await s.scalar(select(StatusRevision.value)) or 0)

    async def places() -> int:
        async with session_factory() as s:
            return int(await s.scalar(select(StatusRevision.places)) or 0)

    seen, order = {await revision()}, {await places()}
    for table in ("obligations", "progress_entries", "units", "tasks", "task_units", "plans",
                  "ledger_periods"):  # fmt: skip
        async with transaction(session_factory) as s:
            await s.execute(text_update(table))
        now, place = await revision(), await places()
        assert now not in seen, table
        seen.add(now)
        moves = table in ("obligations", "tasks", "task_units", "plans")
        assert (place not in order) == moves, table  # reports and names leave the order
        order.add(place)
    async with transaction(session_factory) as s:  # a report being counted: same order
        await s.execute(update(Obligation).values(counted_at=Obligation.due_at))
    assert await places() in order and await revision() not in seen


def text_update(table: str) -> TextClause:
    column = {"ledger_periods": "due_at", "task_units": "position", "obligations": "role"}.get(
        table, "id"
    )
    return text(f"UPDATE {table} SET {column} = {column}")


async def test_the_digests_behind_list_follows_a_write(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """The digest's 滞后 list is kept like the summary and read again after a write."""
    await seeded(session_factory)

    async def behind() -> list[tuple[str, int]]:
        async with session_factory() as s:
            data = await digest_data(s, period=MARCH, **as_of(AFTER))
            return [(b.unit, b.task_number) for b in data.behind]

    assert await behind() == []
    async with transaction(session_factory) as s:
        await s.execute(
            update(ProgressEntry)
            .where(ProgressEntry.unit_id == select(Unit.id).where(Unit.name == "市水务局")
                   .scalar_subquery())
            .values(status=EntryStatus.BEHIND)
        )  # fmt: skip
    assert await behind() == [("市水务局", 3), ("市水务局", 4)]


async def test_a_renumbered_task_moves_its_unit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """The document's order is kept apart from the counts; a registry change moves units."""
    await seeded(session_factory)
    before = [u.unit for u in await summary(session_factory)]
    assert before[:2] == ["市交通运输局", "市水务局"]  # tasks 1 and 3
    async with transaction(session_factory) as s:
        await s.execute(update(Task).where(Task.number == 1).values(number=11))
        await s.execute(update(Task).where(Task.number == 2).values(number=12))
    after = [u.unit for u in await summary(session_factory)]
    assert after[:2] == ["市水务局", "未绑定单位"]  # 交通 now owes 11 and 12
    assert [f[0] for f in await aggregate(session_factory)] == after
