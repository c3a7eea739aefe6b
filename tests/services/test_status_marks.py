"""After a write the kept summary counts again only the units the write touched (status_marks,
migration 0630): it must still say exactly what a full count says, whatever was written, by
whom, in which order transactions commit, and after a rollback. On real SQLite and PostgreSQL;
the reference is `period_status` (the one aggregate over every row), not the code under test."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.vocab import EntryState, EntryStatus
from models import Obligation, Plan, ProgressEntry, Unit
from models.db import transaction
from services import digest, status_revision, status_summary
from services.audit import Actor
from services.identity import identify
from services.obligations import refresh, set_closed
from services.pauses import pause
from services.reporting import ReportRefused
from services.reviewing import review
from services.status_revision import forget, revision
from tests.factories import make_task
from tests.services.test_ledger_of_record import as_of, at, report
from tests.services.test_status_cache import AFTER, aggregate, seeded, summary
from tests.services.test_status_summary import MARCH, figures

CLI = Actor.cli()
REPORTERS = {8201: (1, 2), 8202: (3, 4), 8204: (5,), 8205: (6,)}  # user → tasks of its unit
UNITS = ("市交通运输局", "市水务局", "市发展改革委", "未绑定单位", "市住房城乡建设局")


class Spy:
    """Counts how often the kept summary was brought up to date unit by unit."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.recounted = 0
        original = status_summary._recount

        async def recount(*args: object, **kwargs: object) -> object:
            found = await original(*args, **kwargs)  # type: ignore[arg-type]
            self.recounted += found is not None
            return found

        monkeypatch.setattr(status_summary, "_recount", recount)


async def agrees(factory: async_sessionmaker[AsyncSession]) -> None:
    """The kept summary and the digest's 滞后 list equal a count of every row."""
    assert [figures(u) for u in await summary(factory)] == await aggregate(factory)
    async with factory() as s:
        data = await digest.digest_data(s, period=MARCH, **as_of(AFTER))
        fresh = await digest._first_behind(
            s, data.status, await digest._behind_owed(s, MARCH, None), digest.BEHIND_SHOWN
        )
    assert (data.behind, data.behind_total) == fresh


async def a_report(s: AsyncSession, rng: random.Random) -> None:
    user = rng.choice(list(REPORTERS))
    status = rng.choice([EntryStatus.ON_TRACK, EntryStatus.BEHIND])
    when = f"2023-04-{rng.randint(3, 12):02d} 10:00"
    await report(s, user, rng.choice(REPORTERS[user]), "2023-03", when, status=status)


async def a_review(s: AsyncSession, rng: random.Random) -> None:
    waiting = await s.scalars(
        select(ProgressEntry.id).where(
            ProgressEntry.state == EntryState.SUBMITTED, ProgressEntry.is_current
        )
    )
    entries = list(waiting)
    if not entries:
        raise ReportRefused("nothing_waiting")
    approve = rng.random() < 0.5  # else sent back (退回) with a reason
    await review(s, identity=await identify(s, 8203), entry_id=rng.choice(entries),
                 approve=approve, note=None if approve else "数据不全",
                 now=at("2023-04-12 11:00"), chat_id=8203)  # fmt: skip


async def any_unit(s: AsyncSession, rng: random.Random) -> Unit:
    return rng.choice(list(await s.scalars(select(Unit).order_by(Unit.id))))


async def a_pause(s: AsyncSession, rng: random.Random) -> None:
    name = (await any_unit(s, rng)).name
    await pause(s, unit_name=name, starts_on=date(2023, 3, 1), ends_on=None,
                actor=CLI, **as_of("2023-04-01 09:00"))  # fmt: skip


async def a_new_obligation(s: AsyncSession, rng: random.Random) -> None:
    plan = await s.scalar(select(Plan))
    unit = await any_unit(s, rng)
    number = 20 + rng.randint(0, 1000)
    await make_task(s, plan, number, leads=[unit])  # type: ignore[arg-type]
    await s.flush()
    await refresh(s, reason="re-import", actor=CLI, **as_of("2023-04-01 09:00"))


async def a_close(s: AsyncSession, rng: random.Random) -> None:
    await set_closed(s, MARCH, closed=rng.random() < 0.5, actor=CLI, **as_of(AFTER))


async def a_raw_write(s: AsyncSession, rng: random.Random) -> None:
    """What another process might write: a rename, a 滞后 flag, a counted obligation."""
    unit = (await any_unit(s, rng)).id
    choice = rng.randint(0, 2)
    if choice == 0:
        await s.execute(update(Unit).where(Unit.id == unit).values(name=Unit.name + "（改）"))
    elif choice == 1:
        current = ProgressEntry.is_current & (ProgressEntry.unit_id == unit)
        await s.execute(update(ProgressEntry).where(current).values(status=EntryStatus.BEHIND))
    else:
        await s.execute(update(Obligation).where(Obligation.unit_id == unit)
                        .values(counted_at=Obligation.due_at))  # fmt: skip


WRITES = [a_report] * 5 + [a_review] * 3 + [a_raw_write] * 3 + [a_pause, a_new_obligation, a_close]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_after_random_writes_the_kept_summary_equals_a_full_count(
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
) -> None:
    """Reports, reviews, send-backs, pauses, new obligations, closing and reopening, raw writes
    and rolled-back ones, in a random order: after each, the kept summary is a full count."""
    spy = Spy(monkeypatch)
    rng = random.Random(seed)
    await seeded(session_factory)
    await agrees(session_factory)
    for _ in range(24):
        write = rng.choice(WRITES)
        rolled_back = rng.random() < 0.15
        try:
            async with session_factory() as s:
                await write(s, rng)
                if rolled_back:
                    await s.rollback()
                else:
                    await s.commit()
        except ReportRefused:
            pass  # refused (not yours now, nothing waiting): nothing was written
        await agrees(session_factory)
    assert spy.recounted >= 5  # most writes were caught up unit by unit, not counted again


async def test_a_summary_read_inside_a_rolled_back_write_is_never_served(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """A transaction writes, reads the summary, rolls back; later commits move the numbers past
    those it saw: the next summary still counts what was committed."""
    await seeded(session_factory)
    await summary(session_factory)
    async with session_factory() as s:
        await report(s, 8201, 2, "2023-03", "2023-04-06 10:00")
        mine = await status_summary.period_summary(s, period=MARCH, **as_of(AFTER))
        assert figures(mine.units[-2])[:3] == ("市交通运输局", 2, 2)
        await s.rollback()
    for day in (7, 8, 9):  # other units write, more than once
        async with transaction(session_factory) as s:
            await report(s, 8204, 5, "2023-03", f"2023-04-{day:02d} 10:00")
    assert [figures(u) for u in await summary(session_factory)] == await aggregate(session_factory)
    assert figures((await summary(session_factory))[0])[:3] == ("市交通运输局", 2, 1)


async def test_more_units_marked_than_the_limit_counts_everything(
    session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the limit of marked units the summary is counted whole, and still exact."""
    spy = Spy(monkeypatch)
    monkeypatch.setattr(status_revision, "MARKED_AT_MOST", 1)
    await seeded(session_factory)
    await summary(session_factory)
    async with transaction(session_factory) as s:
        await counted_for(s, "交通")
        await counted_for(s, "未绑定")
    assert [figures(u) for u in await summary(session_factory)] == await aggregate(session_factory)
    assert spy.recounted == 0
    async with transaction(session_factory) as s:
        await s.execute(update(Unit).where(Unit.name == "市水务局").values(name="水务"))
    assert "水务" in [u.unit for u in await summary(session_factory)]
    assert spy.recounted == 1  # one unit marked: within the limit


async def counted_for(s: AsyncSession, who: str) -> None:
    """交通 reports task 2 on time (it has no principal: counted at once); or another process
    counts 未绑定's task 7 on time."""
    if who == "交通":
        await report(s, 8201, 2, "2023-03", "2023-04-06 10:00")
        return
    nobody = select(Unit.id).where(Unit.name == "未绑定单位").scalar_subquery()
    await s.execute(
        update(Obligation)
        .where(Obligation.unit_id == nobody)
        .values(counted_at=at("2023-04-06 10:00"))
    )


@pytest.mark.parametrize("first, second", [("交通", "未绑定"), ("未绑定", "交通")])
async def test_two_writers_committing_in_either_order_with_a_reader_between(
    session_factory: async_sessionmaker[AsyncSession], db_kind: str, first: str, second: str
) -> None:
    """Two transactions write for two units; the one that began second commits first and a
    reader counts between the commits, then the other commits. PostgreSQL interleaves them
    (its numbers are taken at commit); SQLite serialises writers, so they run one by one."""
    await seeded(session_factory)
    await summary(session_factory)
    if db_kind == "postgres":
        async with session_factory() as one, session_factory() as two:
            await counted_for(one, first)
            await counted_for(two, second)
            await two.commit()
            between = [figures(u) for u in await summary(session_factory)]
            assert between == await aggregate(session_factory)
            await one.commit()
    else:
        async with transaction(session_factory) as two:
            await counted_for(two, second)
        between = [figures(u) for u in await summary(session_factory)]
        assert between == await aggregate(session_factory)
        async with transaction(session_factory) as one:
            await counted_for(one, first)
    after = [figures(u) for u in await summary(session_factory)]
    assert after == await aggregate(session_factory)
    # By hand: both units now have everything counted, on time (before the deadline of
    # 2023-04-07), so both are complete; between the commits only the second one was.
    done = {"交通": ("市交通运输局", 2, 2, 0, 0, 0, 0, 1, False, True, 0, 0),
            "未绑定": ("未绑定单位", 1, 1, 0, 0, 0, 0, 0, False, True, 0, 0)}  # fmt: skip
    assert done[first] not in between and done[second] in between
    assert done[first] in after and done[second] in after


async def test_a_missing_marks_trigger_disables_the_cache(
    session_factory: async_sessionmaker[AsyncSession], db_kind: str
) -> None:
    """A later migration that copies a table on SQLite (batch mode) drops its triggers: until
    they are created again no process serves or patches a kept summary."""
    await seeded(session_factory)
    async with session_factory() as s:
        assert (await revision(s)).clock is not None
    dropped, again = DROPPED[db_kind]
    async with transaction(session_factory) as s:
        await s.execute(text(dropped))
    try:
        forget()
        async with session_factory() as s:
            await revision(s)  # SQLite notes each transaction's changes from the next one on
        async with session_factory() as s:
            assert (await revision(s)).value is None
        first = await summary(session_factory)
        assert await summary(session_factory) is not first  # counted each time
        async with transaction(session_factory) as s:
            await s.execute(update(Unit).where(Unit.name == "市水务局").values(name="水务"))
        assert "水务" in [u.unit for u in await summary(session_factory)]
    finally:  # the PostgreSQL database is shared by the session's tests
        async with transaction(session_factory) as s:
            await s.execute(text(again))
        forget()


DROPPED = {
    "postgres": (
        "DROP TRIGGER marks_units ON units",
        "CREATE CONSTRAINT TRIGGER marks_units AFTER INSERT OR UPDATE OR DELETE ON units "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION status_marks_units()",
    ),
    "sqlite": (
        "DROP TRIGGER marks_units_update",
        "CREATE TRIGGER marks_units_update AFTER UPDATE ON units BEGIN "
        "UPDATE status_revision SET marked = marked + 1 WHERE id = 1; END",
    ),
}
