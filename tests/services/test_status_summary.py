"""The per-unit summary counted by the database (staff /status at 2,000 units, issue #17) says
exactly what the one aggregate says, on real SQLite and PostgreSQL. Figures written by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.status import UnitStatus, totals
from ledger.vocab import ContactRole
from models import Obligation
from services.identity import identify
from services.reviewing import review
from services.status import period_status
from services.status_summary import period_summary
from tests.factories import make_plan, make_task, make_unit
from tests.services.test_ledger_of_record import as_of, at, bind, report

MARCH = Period(2023, 3)  # due at the end of 2023-04-07 (Shanghai)


def figures(unit: UnitStatus) -> tuple[object, ...]:
    return (unit.unit, unit.owed, unit.submitted, unit.awaiting_approval, unit.late,
            unit.missing, unit.overdue, unit.contacts, unit.principal, unit.complete,
            unit.support_owed, unit.support_submitted)  # fmt: skip


async def world(session: AsyncSession, support: bool = False) -> None:
    """交通 (no principal) owes 1 and 2: 1 on time, 2 nothing. 水务 (with a principal) owes 3
    and 4: 3 waiting for 审定, 4 returned and approved late. 发改 owes 5: sent late, counted.
    未绑定 owes 7 and has nobody. 住建 reported 6, then stopped owing it (a re-import). With
    `support`, 发改 also owes its input (配合单位反馈) on 2 and 未绑定 on 1; 发改 sends its own."""
    names = ("市交通运输局", "市水务局", "市发展改革委", "未绑定单位", "市住房城乡建设局")
    transport, water, reform, nobody, housing = [await make_unit(session, n) for n in names]
    plan = await make_plan(session, 2023)
    plan.support_reports = support
    helpers = {1: [nobody], 2: [reform]} if support else {}
    for number, unit in ((1, transport), (2, transport), (3, water), (4, water), (5, reform),
                         (6, housing), (7, nobody)):  # fmt: skip
        await make_task(session, plan, number, leads=[unit], supports=helpers.get(number, []))
    await bind(session, 8201, transport.id, ContactRole.CONTACT)
    await bind(session, 8202, water.id, ContactRole.CONTACT)
    await bind(session, 8203, water.id, ContactRole.PRINCIPAL)
    await bind(session, 8204, reform.id, ContactRole.CONTACT)
    await bind(session, 8205, housing.id, ContactRole.CONTACT)
    await report(session, 8201, 1, "2023-03", "2023-04-03 10:00")
    await report(session, 8202, 3, "2023-03", "2023-04-03 10:00")
    sent = await report(session, 8202, 4, "2023-03", "2023-04-04 10:00")
    principal = await identify(session, 8203)
    await review(session, identity=principal, entry_id=sent.entry.id, approve=False,
                 note="数据不全", now=at("2023-04-04 11:00"), chat_id=8203)  # fmt: skip
    again = await report(session, 8202, 4, "2023-03", "2023-04-12 10:00")
    await review(session, identity=principal, entry_id=again.entry.id, approve=True, note=None,
                 now=at("2023-04-12 11:00"), chat_id=8203)  # fmt: skip
    await report(session, 8204, 5, "2023-03", "2023-04-12 10:00")
    await report(session, 8205, 6, "2023-03", "2023-04-03 10:00")
    if support:
        await report(session, 8204, 2, "2023-03", "2023-04-03 10:00")
    await session.execute(delete(Obligation).where(Obligation.unit_id == housing.id))


@pytest.mark.parametrize("support", [False, True], ids=["leads", "with-support"])
@pytest.mark.parametrize("moment", ["2023-04-05 09:00", "2023-04-13 09:00"])
async def test_the_summary_counts_what_the_aggregate_counts(
    session: AsyncSession, moment: str, support: bool
) -> None:
    await world(session, support)
    full = await period_status(session, period=MARCH, **as_of(moment))
    summary = await period_summary(session, period=MARCH, **as_of(moment))
    assert [figures(u) for u in summary.units] == [figures(u) for u in full.units]
    assert totals(summary.units) == totals(full.units)
    assert (totals(full.units).support_owed, totals(full.units).support_submitted) == (
        (2, 1) if support else (0, 0)
    )
    assert (summary.plans, summary.ledger) == (full.plans, full.ledger)


async def test_the_summary_figures_by_hand(session: AsyncSession) -> None:
    """After the deadline: 交通's task 2 and 未绑定's task 7 are overdue; 水务's waiting task
    3 is not; 发改 is complete, so it comes last; 住建 owes nothing but its report shows."""
    await world(session)
    summary = await period_summary(session, period=MARCH, **as_of("2023-04-13 09:00"))
    assert [figures(u) for u in summary.units] == [
        # unit, owed, submitted, awaiting, late, missing, overdue, contacts, principal, complete,
        # support owed, support submitted
        ("市交通运输局", 2, 1, 0, 0, 1, 1, 1, False, False, 0, 0),
        ("市水务局", 2, 1, 1, 1, 0, 0, 1, True, False, 0, 0),
        ("未绑定单位", 1, 0, 0, 0, 1, 1, 0, False, False, 0, 0),
        ("市住房城乡建设局", 0, 0, 0, 0, 0, 0, 0, False, False, 0, 0),
        ("市发展改革委", 1, 1, 0, 1, 0, 0, 1, False, True, 0, 0),
    ]
    before = await period_summary(session, period=MARCH, **as_of("2023-04-05 09:00"))
    assert sum(u.overdue for u in before.units) == 0  # nothing is overdue before the deadline


async def test_a_summary_has_no_lists_to_hand_out(session: AsyncSession) -> None:
    await world(session)
    summary = await period_summary(session, period=MARCH, **as_of("2023-04-13 09:00"))
    transport = summary.units[0]
    assert (transport.unit, transport.obligations, transport.entries) == ("市交通运输局", [], [])
    with pytest.raises(ValueError, match="counts, not lists"):
        transport.missing_tasks()
    with pytest.raises(ValueError, match="counts, not lists"):
        transport.waiting_entries()
    with pytest.raises(ValueError, match="counts, not lists"):
        transport.role_of(1)
