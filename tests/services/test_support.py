"""Supporting units' input (配合单位反馈) on a real database: materialised with the plan's switch,
due before the lead's deadline, reportable by the supporting unit, seen by the lead."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.duban_texts import render_support_inputs
from ledger.periods import Period
from ledger.timetable import DEFAULT_RULES, AsOf
from ledger.vocab import ContactRole, EntryStatus, UnitKind, UnitRole
from ledgerbot.cli_status import status_json
from models import AuditLog, Contact, Plan, Task, UnitMember
from services.audit import Actor
from services.identity import identify
from services.plans import PlanError, set_support_reports
from services.reporting import Draft, ReportRefused, Source, submit
from services.status import period_status
from services.support import support_inputs
from tests.factories import make_plan, make_task, make_unit

TZ = ZoneInfo("Asia/Shanghai")
MARCH = Period(2023, 3)
MONDAY = datetime(2023, 4, 3, 2, 0, tzinfo=UTC)  # 10:00 on 3 April: the prompt's day
THURSDAY = datetime(2023, 4, 6, 2, 0, tzinfo=UTC)  # after the supporting input was due
AS_OF = AsOf(now=MONDAY, rules=DEFAULT_RULES, tz=TZ)
TRANSPORT_CONTACT, WATER_CONTACT, YANJIANG_CONTACT = 1001, 2001, 3001
LEAD_DUE = datetime(2023, 4, 7, 16, 0, tzinfo=UTC)  # 8 April 00:00 in Shanghai
SUPPORT_DUE = datetime(2023, 4, 4, 16, 0, tzinfo=UTC)  # 5 April 00:00: two working days before


@pytest.fixture
async def plan_code(session: AsyncSession) -> str:
    transport = await make_unit(session, "市交通运输局")
    water = await make_unit(session, "市水务局")
    counties = await make_unit(session, "各县(区)", UnitKind.COLLECTIVE)
    yanjiang = await make_unit(session, "雁江区", UnitKind.COUNTY)
    session.add(UnitMember(collective_id=counties.id, member_id=yanjiang.id))
    plan = await make_plan(session, 2023)
    await make_task(session, plan, 5, leads=[transport], supports=[counties])
    await make_task(session, plan, 8, leads=[water], supports=[transport])
    for user, unit in [(TRANSPORT_CONTACT, transport), (WATER_CONTACT, water),
                       (YANJIANG_CONTACT, yanjiang)]:  # fmt: skip
        session.add(Contact(telegram_user_id=user, unit_id=unit.id, role=ContactRole.CONTACT))
    await session.flush()
    return plan.code


async def _report(session: AsyncSession, user: int, number: int, at: datetime, text: str) -> bool:
    identity = await identify(session, user)
    recorded = await submit(
        session, identity=identity, draft=Draft(number, EntryStatus.ON_TRACK, text),
        period=MARCH, source=Source(user, "张三", user, None, at), rules=DEFAULT_RULES, tz=TZ,
    )  # fmt: skip
    return recorded.entry.late


async def test_a_plan_with_support_off_owes_leads_only_and_turning_it_on_adds_inputs(
    session: AsyncSession, plan_code: str
) -> None:
    status = await period_status(session, period=MARCH, **AS_OF)
    assert {(u.unit, u.owed, u.support_owed) for u in status.units} == {
        ("市交通运输局", 1, 0), ("市水务局", 1, 0),
    }  # fmt: skip
    with pytest.raises(ReportRefused):  # 市交通运输局 only supports task 8: not asked, refused
        await _report(session, TRANSPORT_CONTACT, 8, MONDAY, "配合意见")

    changes = await set_support_reports(
        session, code=plan_code, on=True, actor=Actor.cli(), as_of=AS_OF
    )
    assert changes == {MARCH.key: {"added": 2, "removed": 0}}
    status = await period_status(session, period=MARCH, **AS_OF)
    by_unit = {u.unit: (u.owed, u.support_owed) for u in status.units}
    assert by_unit == {"市交通运输局": (2, 1), "市水务局": (1, 0), "雁江区": (1, 1)}
    dues = {(u.unit, o.task_number, o.role): o.due_at for u in status.units for o in u.obligations}
    assert dues[("市交通运输局", 8, UnitRole.SUPPORT)] == SUPPORT_DUE
    assert dues[("雁江区", 5, UnitRole.SUPPORT)] == SUPPORT_DUE
    assert dues[("市交通运输局", 5, UnitRole.LEAD)] == LEAD_DUE
    audit = await session.scalars(select(AuditLog.action).order_by(AuditLog.id))
    assert "plan.support_reports" in audit.all()
    with pytest.raises(PlanError, match="already on"):
        await set_support_reports(session, code=plan_code, on=True, actor=Actor.cli(), as_of=AS_OF)

    # Off again: the open period's support obligations go.
    changes = await set_support_reports(
        session, code=plan_code, on=False, actor=Actor.cli(), as_of=AS_OF
    )
    assert changes == {MARCH.key: {"added": 0, "removed": 2}}


async def test_supporting_units_report_against_their_own_earlier_deadline(
    session: AsyncSession, plan_code: str
) -> None:
    plan = await session.scalar(select(Plan).where(Plan.code == plan_code))
    assert plan is not None
    plan.support_reports = True
    await session.flush()
    # 雁江区 on Monday: on time; 市交通运输局's input on Thursday: late (due when the 4th ended)
    # although the lead's deadline (the 7th) has not passed.
    assert await _report(session, YANJIANG_CONTACT, 5, MONDAY, "已配合完成征地") is False
    assert await _report(session, TRANSPORT_CONTACT, 8, THURSDAY, "配合调度车辆") is True
    assert await _report(session, TRANSPORT_CONTACT, 5, THURSDAY, "路基完成70%") is False

    status = await period_status(session, period=MARCH, now=THURSDAY, rules=DEFAULT_RULES, tz=TZ)
    document = status_json(status)
    roles = {
        (u["unit"], e["task"]): (e["role"], e["late"])
        for u in document["units"] for e in u["entries"]
    }  # fmt: skip
    assert roles == {
        ("市交通运输局", 5): ("lead", False),
        ("市交通运输局", 8): ("support", True),
        ("雁江区", 5): ("support", False),
    }
    transport = next(u for u in document["units"] if u["unit"] == "市交通运输局")
    assert (transport["support_owed"], transport["support_submitted"]) == (1, 1)

    # The lead of task 8 (市水务局) sees the input; the lead of task 5 sees 雁江区's.
    inputs = await support_inputs(session, period=MARCH, task_id=await _task_id(session, 8))
    assert [(i.unit, i.sent, i.text) for i in inputs] == [("市交通运输局", True, "配合调度车辆")]
    assert render_support_inputs(inputs, "zh", TZ) == (
        "配合单位反馈：\n· 市交通运输局：序时推进，配合调度车辆"
    )


async def test_the_lead_sees_who_has_not_sent_an_input(
    session: AsyncSession, plan_code: str
) -> None:
    plan = await session.scalar(select(Plan).where(Plan.code == plan_code))
    assert plan is not None
    plan.support_reports = True
    await session.flush()
    await period_status(session, period=MARCH, **AS_OF)  # opens the ledger
    inputs = await support_inputs(session, period=MARCH, task_id=await _task_id(session, 5))
    assert render_support_inputs(inputs, "zh", TZ) == (
        "配合单位反馈：\n· 雁江区：尚未反馈（配合反馈截止 2023-04-04）"
    )
    assert render_support_inputs(inputs, "en", TZ).endswith("nothing yet (input due 2023-04-04)")
    assert render_support_inputs([], "zh", TZ) == ""


async def _task_id(session: AsyncSession, number: int) -> int:
    found = await session.scalar(select(Task.id).where(Task.number == number))
    assert found is not None
    return found
