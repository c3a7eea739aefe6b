"""services.reports and services.digest on real SQLite and PostgreSQL databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.periods import Period, Quarter
from ledger.timetable import DEFAULT_RULES, AsOf
from ledger.vocab import ContactRole, EntryState, EntryStatus, MilestoneOutcome, UnitKind
from messages.digest import digest_chart, digest_message
from models import Contact, Milestone, MilestoneResult, ProgressEntry, Section, UnitMember
from models.db import transaction
from services import quarter_year_data, reports
from services.digest import digest_data
from tests.factories import make_plan, make_task, make_unit
from tests.reports.simulate import TZ

SH = timezone(timedelta(hours=8))


async def seed(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """May 2023: 交通 on time (序时推进), 雁江区 late and 滞后, 水务 missing."""
    async with transaction(factory) as s:
        transport, water = await make_unit(s, "市交通运输局"), await make_unit(s, "市水务局")
        counties = await make_unit(s, "各县(区)", UnitKind.COLLECTIVE)
        yanjiang = await make_unit(s, "雁江区", UnitKind.COUNTY)
        s.add(UnitMember(collective_id=counties.id, member_id=yanjiang.id))
        for user, unit in ((81, transport), (82, water)):  # 雁江区 has no bound contact
            s.add(Contact(telegram_user_id=user, unit_id=unit.id, role=ContactRole.CONTACT))
        plan = await make_plan(s, 2023, "成资同城化发展2023年工作要点")
        section = Section(plan_id=plan.id, number="二", title="基础设施", position=0)
        s.add(section)
        await s.flush()
        road = await make_task(s, plan, 5, leads=[transport, counties], section=section,
                               milestones={2: "6月底前控制性工程开工。"})  # fmt: skip
        await make_task(s, plan, 8, leads=[water], section=section, text="强力推进水利设施建设。")
        for unit, status, late, day in (
            (transport, EntryStatus.ON_TRACK, False, 5),
            (yanjiang, EntryStatus.BEHIND, True, 12),
        ):
            at = datetime(2023, 6, day, 10, tzinfo=SH)
            s.add(ProgressEntry(task_id=road.id, unit_id=unit.id, period="2023-05", version=1,
                                is_current=True, state=EntryState.APPROVED, status=status,
                                progress=f"{unit.name}推进中", reporter_name="王五",
                                submitted_at=at, late=late))  # fmt: skip
        await s.flush()
        milestone = next(m for m in await s.run_sync(lambda _: road.milestones))
        assert isinstance(milestone, Milestone)
        s.add(MilestoneResult(milestone_id=milestone.id, unit_id=transport.id,
                              outcome=MilestoneOutcome.MET, explanation="已开工",
                              submitted_at=datetime(2023, 6, 26, tzinfo=SH)))  # fmt: skip
        return {"transport": transport.id, "water": water.id, "yanjiang": yanjiang.id}


async def test_digest_text_for_a_fixture_month(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed(session_factory)
    now = datetime(2023, 6, 12, 10, tzinfo=SH)  # a Monday after the 2023-05 deadline
    async with session_factory() as session:
        data = await digest_data(
            session, now=now, rules=DEFAULT_RULES, tz=TZ, period=Period(2023, 5)
        )
    # By hand: 3 owed; 交通 on time, 雁江区 late (06-12 after the 06-07 deadline), 水务 missing
    # and overdue. The 逾期 count and the red list are the same unit. Milestones are counted
    # per owing unit: task 5's Q2 target is owed by 交通 (answered) and 雁江区 (not).
    assert digest_message(data, "zh")["text"].split("\n") == [
        "<b>每周台账简报</b> 2023-05（截止 2023-06-07）",
        "应报 3 · 已报 2 · 待审定 0 · 未报 1（其中逾期 1） · 迟报 1",
        "单位：应报 3 · 已报齐 2 · 逾期 1 · 临近截止 0 · 未绑定 0",
        "🔴 逾期：市水务局",
        "滞后任务：",
        "· 5 雁江区：雁江区推进中",
        "⏰ 下一截止：2023-07-07",
        "🎯 2023Q2 节点目标 2 项，已答复 1 项（核查截止 2023-06-30）",
    ]
    english = digest_message(data, "en")["text"]
    assert "next deadline: 2023-07-07" in english and "overdue: 市水务局" in english
    chart = digest_chart(data, now.date(), "zh")
    assert chart["caption"] == "2023-05 台账报送情况（截至 2023-06-12）"
    assert len(chart["photo_b64"]) > 10_000
    assert [(r.unit, r.on_time, r.late, r.missing) for r in data.chart_rows()] == [
        ("市水务局", 0, 0, 1),
        ("市交通运输局", 1, 0, 0),
        ("雁江区", 0, 1, 0),
    ]


async def test_ledgers_quarters_and_years(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids = await seed(session_factory)
    july = AsOf(now=datetime(2023, 7, 12, 10, tzinfo=SH), rules=DEFAULT_RULES, tz=TZ)
    async with session_factory() as session:
        [may] = await reports.ledgers(session, periods=[Period(2023, 5)], **july)
        [own] = await reports.ledgers(
            session, periods=[Period(2023, 5)], unit_ids=[ids["water"]], **july
        )
        q2 = await quarter_year_data.quarter_data(session, quarter=Quarter(2023, 2), **july)
        year = await quarter_year_data.year_data(
            session, year=2023, through=Period(2023, 6), **july
        )
        early = await quarter_year_data.quarter_data(
            session, quarter=Quarter(2023, 2), now=datetime(2023, 6, 5, tzinfo=SH),
            rules=DEFAULT_RULES, tz=TZ,
        )  # fmt: skip
        entries = await reports.load_entries(session, plan_id=None, year=2023, current_only=False)
    rows = [(t.number, u.name, e.status.value if e else None) for t, u, e in may.rows()]
    assert rows == [(5, "市交通运输局", "on_track"), (5, "雁江区", "behind"), (8, "市水务局", None)]
    assert may.tasks[0].section == "二、基础设施" and may.tasks[0].leads == (
        "市交通运输局",
        "各县(区)",
    )
    assert [(t.number, u.name) for t, u, _ in own.rows()] == [(8, "市水务局")]
    assert q2 is not None and [p.period.key for p in q2.ledgers] == [
        "2023-04",
        "2023-05",
        "2023-06",
    ]
    [check] = q2.milestones
    assert {u.name: a[0] for u, a in check.answers.items()} == {
        "市交通运输局": MilestoneOutcome.MET,
        "雁江区": None,
    }
    assert year is not None and len(year.ledgers) == 6 and len(year.milestones) == 1
    # On 06-05 only 2023-04 is due (05-08); May and June are not counted yet, nor Q2's targets.
    assert early is not None and [p.period.key for p in early.ledgers] == ["2023-04"]
    assert early.milestones == []
    assert (entries[0].unit.name, entries[0].task_text) == ("市交通运输局", "任务5")
    assert quarter_year_data.last_due_period(
        2023, datetime(2023, 6, 8, 1, tzinfo=SH), DEFAULT_RULES, TZ
    ) == (Period(2023, 5))
