"""The digest's 滞后 list is read by one query beside the per-unit summary (issue #17): it lists
exactly what the one aggregate lists (units in status order, each unit's reports in its order),
on real SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ContactRole, EntryStatus
from models import ProgressEntry
from services.digest import behind_reports, digest_data
from services.status import period_status
from services.status_summary import period_summary
from tests.factories import make_plan, make_task, make_unit
from tests.services.test_ledger_of_record import as_of, bind, report
from tests.services.test_status_summary import MARCH, world


@pytest.mark.parametrize("support", [False, True], ids=["leads", "with-support"])
async def test_the_behind_list_is_the_aggregates(session: AsyncSession, support: bool) -> None:
    await world(session, support)
    await session.execute(update(ProgressEntry).values(status=EntryStatus.BEHIND))
    moment = as_of("2023-04-13 09:00")
    full = await period_status(session, period=MARCH, **moment)
    summary = await period_summary(session, period=MARCH, **moment)
    shown, total = await behind_reports(session, summary)
    listed = [(b.unit, b.task_number) for b in shown]
    # By hand: 交通 (reported 1) and 水务 (3 and 4) in the document's order; 住建 reported 6,
    # which it no longer owes (after every owing unit); 发改 is complete, so last: its input
    # on 2 (with support) comes before its own 5 (task order).
    expected = [("市交通运输局", 1), ("市水务局", 3), ("市水务局", 4), ("市住房城乡建设局", 6)]
    expected += [("市发展改革委", 2), ("市发展改革委", 5)] if support else [("市发展改革委", 5)]
    assert listed == expected
    assert listed == [(u.unit, e.task_number) for u in full.units for e in u.entries]
    assert total == len(listed)
    first, total = await behind_reports(session, summary, shown=2)
    assert ([(b.unit, b.task_number) for b in first], total) == (expected[:2], len(expected))


async def test_only_reports_marked_behind_and_in_the_units_task_order(
    session: AsyncSession,
) -> None:
    """A unit leading 9 and 2 lists 2 first (the document's order), and reports on track are
    not listed; the digest carries the list with the texts."""
    transport = await make_unit(session, "市交通运输局")
    plan = await make_plan(session, 2023)
    for number in (9, 2, 4):
        await make_task(session, plan, number, leads=[transport])
    await bind(session, 8301, transport.id, ContactRole.CONTACT)
    await report(session, 8301, 9, "2023-03", "2023-04-03 10:00", status=EntryStatus.BEHIND)
    await report(session, 8301, 4, "2023-03", "2023-04-03 11:00")
    await report(session, 8301, 2, "2023-03", "2023-04-03 12:00", status=EntryStatus.BEHIND)
    data = await digest_data(session, period=MARCH, **as_of("2023-04-05 09:00"))
    assert [(b.unit, b.task_number) for b in data.behind] == [
        ("市交通运输局", 2),
        ("市交通运输局", 9),
    ]
    assert all(b.text for b in data.behind)
