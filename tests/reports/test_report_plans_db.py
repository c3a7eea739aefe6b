"""The documents from the ledger of record on real SQLite and PostgreSQL: two plans owed in the
same months, a unit without principal, a unit without contact, a late correction, a period not
yet due, the digest agreeing with the bulletin, and byte-identical files once periods are closed.

The script is the one of tests/reports/two_plans.py, played through the services (plans owed
from 2023-05, so April owes nothing); every expected figure is counted by hand there.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.periods import Period, Quarter
from ledger.scoring import Weights
from ledger.status import totals
from ledger.timetable import DEFAULT_RULES, AsOf
from ledger.vocab import ContactRole, EntryStatus, UnitKind
from models import Contact, Task
from models.db import transaction
from reports.bulletin import build
from reports.bulletin_docx import bulletin_docx
from reports.bulletin_xlsx import bulletin_xlsx
from reports.entries import record
from reports.ledger_xlsx import ledger_workbook
from reports.scorecard import score_rows, scorecard_xlsx
from services import quarter_year_data, reports
from services.audit import Actor
from services.digest import digest_data
from services.identity import identify
from services.obligations import refresh, refresh_contacts, set_closed
from services.pauses import pause
from services.reporting import Draft, Source, submit
from services.reviewing import review
from tests.factories import make_plan, make_task, make_unit

TZ = ZoneInfo("Asia/Shanghai")
Q2 = Quarter(2023, 2)
TRANSPORT, TRANSPORT_HEAD, YANJIANG, WATER = 9101, 9102, 9201, 9301  # Telegram users


def as_of(text: str) -> AsOf:
    return AsOf(now=datetime.fromisoformat(text).replace(tzinfo=TZ), rules=DEFAULT_RULES, tz=TZ)


async def script(factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Plans, units and bindings, then the reports of May and June 2023."""
    async with transaction(factory) as s:
        transport, water = await make_unit(s, "市交通运输局"), await make_unit(s, "市水务局")
        yanjiang = await make_unit(s, "雁江区", UnitKind.COUNTY)
        anyue = await make_unit(s, "安岳县", UnitKind.COUNTY)  # never bound: nobody to prompt
        points = await make_plan(s, 2023, "成资同城化发展2023年工作要点", code="工作要点",
                                 first="2023-05")  # fmt: skip
        ten = await make_plan(s, 2023, "成德眉资同城化十件大事", code="十件大事", first="2023-05")
        road = await make_task(s, points, 5, leads=[transport, yanjiang],
                               text="协同畅通公路网体系。",
                               milestones={2: "6月底前控制性工程开工。"})  # fmt: skip
        await make_task(s, points, 8, leads=[water], text="强力推进水利设施建设。")
        big = await make_task(s, ten, 5, leads=[yanjiang, anyue], text="重大交通项目建设。")
        for user, unit, role in (
            (TRANSPORT, transport, ContactRole.CONTACT),
            (TRANSPORT_HEAD, transport, ContactRole.PRINCIPAL),
            (YANJIANG, yanjiang, ContactRole.CONTACT),  # 雁江区 has no principal
            (WATER, water, ContactRole.CONTACT),
        ):
            s.add(Contact(telegram_user_id=user, unit_id=unit.id, role=role))
        await s.flush()
        await refresh_contacts(s, [transport.id, water.id, yanjiang.id])
        ids = {"anyue": anyue.id, "water": water.id, "big": big.id, "road": road.id}

    async def send(user: int, code: str, period: str, when: str, status: EntryStatus,
                   problems: str | None = None) -> int:  # fmt: skip
        moment = datetime.fromisoformat(when).replace(tzinfo=TZ)
        async with transaction(factory) as s:
            draft = Draft(5, status, f"{code}第5项进展", problems=problems, plan_code=code)
            done = await submit(s, identity=await identify(s, user), draft=draft,
                                period=Period.parse(period),
                                source=Source(user, "填报人", user, None, moment),
                                rules=DEFAULT_RULES, tz=TZ)  # fmt: skip
            return done.entry.id

    async def approve(entry_id: int, when: str) -> None:
        async with transaction(factory) as s:
            await review(s, identity=await identify(s, TRANSPORT_HEAD), entry_id=entry_id,
                         approve=True, note=None, chat_id=None,
                         now=datetime.fromisoformat(when).replace(tzinfo=TZ))  # fmt: skip

    on_track, behind = EntryStatus.ON_TRACK, EntryStatus.BEHIND
    await approve(await send(TRANSPORT, "工作要点", "2023-05", "2023-06-05 10:30", on_track),
                  "2023-06-06 09:00")  # fmt: skip
    await send(YANJIANG, "工作要点", "2023-05", "2023-06-05 10:30", on_track)
    await send(YANJIANG, "工作要点", "2023-05", "2023-06-12 10:30", on_track)  # late correction
    await send(YANJIANG, "十件大事", "2023-05", "2023-06-05 10:30", behind)  # no problem stated
    await approve(await send(TRANSPORT, "工作要点", "2023-06", "2023-07-10 10:30", on_track),
                  "2023-07-10 15:00")  # fmt: skip
    await send(YANJIANG, "工作要点", "2023-06", "2023-07-05 10:30", behind, "征地拆迁进度偏慢。")
    return ids


async def test_two_plans_from_the_ledger_of_record(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids = await script(session_factory)
    moment = as_of("2023-07-12 10:00")
    may_june = [Period(2023, 5), Period(2023, 6), Period(2023, 5)]  # May asked twice: once
    async with session_factory() as s:
        data = await quarter_year_data.quarter_data(s, quarter=Q2, **moment)
        months = await reports.ledgers(s, periods=may_june, **moment)
        water = await reports.ledgers(s, periods=may_june, unit_ids=[ids["water"]], **moment)
        anyue = await reports.ledgers(s, periods=may_june, unit_ids=[ids["anyue"]], **moment)
        year = await quarter_year_data.year_data(s, year=2023, through=Period(2023, 6), **moment)
        entries = await reports.load_entries(s, plan_id=None, year=2023, current_only=False)
    assert data is not None and year is not None
    assert [p.code for p in data.plans] == ["工作要点", "十件大事"]
    b = build(data)
    assert b.title == "2023年第2季度推进情况通报"
    assert [(r.rank, r.unit.name, r.cells()[2:]) for r in b.ranking] == [
        (1, "雁江区", (4, 3, 0, 1)),
        (2, "市交通运输局", (2, 1, 1, 0)),
        (3, "安岳县", (2, 0, 0, 2)),
        (3, "市水务局", (2, 0, 0, 2)),
    ]
    points, ten = b.parts
    assert [x.cells() for x in points.lapses] == [
        ("2023-05", "市水务局", "", "8"),
        ("2023-06", "市交通运输局", "5", ""),
        ("2023-06", "市水务局", "", "8"),
    ]
    assert [x.cells() for x in ten.lapses] == [("2023-06", "雁江区", "", "5")]
    assert [x.cells() for x in b.unbound] == [
        ("2023-05", "安岳县", "十件大事/5"),
        ("2023-06", "安岳县", "十件大事/5"),
    ]
    assert b.summary[:2] == [
        "本季度应报台账10项，按时报送4项，逾期报送1项，未报送5项（其中2项所属单位未绑定填报人）。"
        "节点目标应答复2项，其中已完成0项，部分完成0项，未完成0项，未答复2项。",
        "统计范围：2023-05、2023-06月台账（截至2023-07-12已过报送截止时间）。",
    ]
    answers = [(c.plan.code, c.task.number, [u.name for u in c.answers]) for c in b.milestones]
    assert answers == [("工作要点", 5, ["市交通运输局", "雁江区"])]
    [behind] = ten.behind
    assert (behind.period, behind.plan_code, behind.problems) == ("2023-05", "十件大事", None)

    book = openpyxl.load_workbook(io.BytesIO(ledger_workbook(months, TZ, moment["now"])))
    assert book.sheetnames == ["2023-05 工作要点", "2023-05 十件大事", "2023-06 工作要点",
                               "2023-06 十件大事"]  # fmt: skip
    may = [r for r in book["2023-05 工作要点"].iter_rows(min_row=3, values_only=True)]
    assert [(r[2], r[9], r[10], r[11]) for r in may] == [
        ("市交通运输局", "2023-06-05 10:30", "否", "已审定 2023-06-06"),
        ("雁江区", "2023-06-12 10:30", "否", "未经审定（无审定人）"),  # the correction: on time
        ("市水务局", None, "未报", None),
    ]
    assert book["2023-05 十件大事"]["A1"].value == "成德眉资同城化十件大事 推进台账（2023年5月）"
    # A unit's own export: only the plans it owes under (水务 under 工作要点, 安岳县 under 十件大事)
    assert [(x.period.key, x.plan_code) for x in water] == [
        ("2023-05", "工作要点"), ("2023-06", "工作要点"),
    ]  # fmt: skip
    assert [(x.period.key, x.plan_code) for x in anyue] == [
        ("2023-05", "十件大事"), ("2023-06", "十件大事"),
    ]  # fmt: skip
    assert [(t.number, u.name) for t, u, _ in anyue[0].rows()] == [(5, "安岳县")]

    by_unit = {r.unit.name: r for r in score_rows(year, Weights())}
    assert (by_unit["雁江区"].tally.approved, by_unit["雁江区"].tally.reported) == (0, 3)
    assert by_unit["市交通运输局"].tally.approved == 2
    card = openpyxl.load_workbook(
        io.BytesIO(scorecard_xlsx(year, Weights(), TZ, "2023-06", moment["now"]))
    )
    evidence = list(card["评分依据"].iter_rows(min_row=3, values_only=True))
    assert ("雁江区", "2023-05", "工作要点", 5, "月度台账", "按时", "未经审定（无审定人）",
            "2023-06-05 10:30") in evidence  # fmt: skip
    unbound = ("安岳县", "2023-06", "十件大事", 5, "月度台账", "未报（未绑定）", None, None)
    assert unbound in evidence

    dump = [record(e, TZ) for e in entries]
    assert [(d["period"], d["plan"], d["unit"], d["version"], d["state"], d["approved"])
            for d in dump] == [
        ("2023-05", "工作要点", "市交通运输局", 1, "approved", True),
        ("2023-05", "工作要点", "雁江区", 1, "accepted", False),
        ("2023-05", "工作要点", "雁江区", 2, "accepted", False),
        ("2023-05", "十件大事", "雁江区", 1, "accepted", False),
        ("2023-06", "工作要点", "市交通运输局", 1, "approved", True),
        ("2023-06", "工作要点", "雁江区", 1, "accepted", False),
    ]  # fmt: skip


async def test_a_period_not_yet_due_is_not_counted_and_the_digest_agrees(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await script(session_factory)
    early = as_of("2023-07-03 10:00")  # June is due 2023-07-07: only May counts
    async with session_factory() as s:
        data = await quarter_year_data.quarter_data(s, quarter=Q2, **early)
        digest = await digest_data(s, period=Period(2023, 5), **as_of("2023-07-12 10:00"))
    assert data is not None and data.periods() == ["2023-05"]
    b = build(data)
    # May by hand: 5 owed; 交通 and 雁江区 ×2 on time, 水务 missing, 安岳县 missing and unbound
    assert b.summary[0].startswith(
        "本季度应报台账5项，按时报送3项，逾期报送0项，未报送2项（其中1项所属单位未绑定填报人）。"
    )
    assert [x.period for x in b.lapses] == ["2023-05"]  # nothing of June is 未报送 yet
    assert [x.cells() for x in b.unbound] == [("2023-05", "安岳县", "十件大事/5")]
    # The digest of the same (now closed) month counts the same obligations.
    t = totals(digest.status.units)
    bulletin = b.totals()
    assert (t.owed, t.submitted + t.awaiting_approval, t.missing) == (
        bulletin.owed, bulletin.reported, bulletin.missing,
    )  # fmt: skip
    assert t.late == sum(r.tally.late for r in b.ranking) == 0
    assert [u.unit for u in digest.unbound()] == sorted({x.unit.name for x in b.unbound})


async def test_closed_periods_give_the_same_bytes_after_registry_changes(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    ids = await script(session_factory)
    moment = as_of("2023-07-20 10:00")
    cli = Actor.cli()
    async with transaction(session_factory) as s:
        for month in (5, 6):
            await set_closed(s, Period(2023, month), closed=True, actor=cli, **moment)

    async def documents() -> list[bytes]:
        async with transaction(session_factory) as s:
            data = await quarter_year_data.quarter_data(s, quarter=Q2, **moment)
            year = await quarter_year_data.year_data(
                s, year=2023, through=Period(2023, 6), **moment
            )
            months = await reports.ledgers(s, periods=list(Q2.periods()), **moment)
        assert data is not None and year is not None
        content = build(data)
        return [bulletin_docx(content), bulletin_xlsx(content),
                scorecard_xlsx(year, Weights(), TZ, "2023-06", moment["now"]),
                ledger_workbook(months, TZ, moment["now"])]  # fmt: skip

    before = await documents()
    async with transaction(session_factory) as s:
        # a pause reaching back over the closed months, and a task removed by a re-import
        await pause(s, unit_name="市水务局", starts_on=date(2023, 5, 1), ends_on=None,
                    actor=cli, **moment)  # fmt: skip
        task = await s.get_one(Task, ids["big"])
        task.active = False
        await refresh(s, reason="import", actor=cli, **moment)
    assert await documents() == before
