"""A small ledger for the Mini App and API tests: three units, three tasks of the 2023 work
points, a contact and a principal, staff, and signed init data for each of them.

Period 2023-05 is due at the end of 2023-06-07 (Asia/Shanghai). `seed` leaves:
市交通运输局 owes 5 and 6 (contact CONTACT, principal PRINCIPAL), 市发展改革委 owes 6 and 8
(contact CONTACT_2, no principal), 市水务局 owes 8 and has nobody bound.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.initdata import sign
from ledger.periods import Period
from ledger.timetable import CalendarRules
from ledger.vocab import ClosureState, ContactRole, EntryStatus, MilestoneOutcome, RequestState
from models import Closure, Contact, ExtensionRequest, Milestone, MilestoneResult, Staff
from services.identity import identify
from services.reporting import Draft, Source, submit
from services.reviewing import review
from tests.factories import make_plan, make_task, make_unit

TOKEN = "123456:ledger-test-token"
SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD = Period.parse("2023-05")
BEFORE_DUE = datetime(2023, 6, 2, 10, 0, tzinfo=SHANGHAI)  # Friday: 3 working days left
AFTER_DUE = datetime(2023, 6, 8, 10, 0, tzinfo=SHANGHAI)
TRANSPORT, DEVELOPMENT, WATER = "市交通运输局", "市发展改革委", "市水务局"
CONTACT, PRINCIPAL, CONTACT_2, STAFF, ADMIN, STRANGER = 1001, 1002, 2001, 3001, 900, 4001
NAMES = {CONTACT: "张三", PRINCIPAL: "李局长", CONTACT_2: "王五", STAFF: "赵科员", ADMIN: "管理员",
         STRANGER: "路人"}  # fmt: skip


def init_data(
    user_id: int, *, at: datetime, token: str = TOKEN, language: str = "zh", **extra: str
) -> str:
    """Init data as Telegram signs it for `user_id` at `at`."""
    user = {"id": user_id, "first_name": NAMES.get(user_id, "某人"), "language_code": language}
    fields = {
        "auth_date": str(int(at.timestamp())),
        "query_id": f"AAH{user_id}",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        **extra,
    }
    return sign(fields, token)


async def seed(session: AsyncSession) -> dict[str, int]:
    """The registry above; returns the ids of units and tasks by name and number."""
    transport = await make_unit(session, TRANSPORT)
    development = await make_unit(session, DEVELOPMENT)
    water = await make_unit(session, WATER)
    plan = await make_plan(session, 2023, "成资同城化发展2023年工作要点")
    t5 = await make_task(session, plan, 5, leads=[transport], text="协同畅通公路网体系。")
    t6 = await make_task(
        session, plan, 6, leads=[development, transport], text="优化公共交通服务。"
    )
    t8 = await make_task(
        session, plan, 8, leads=[water, development], text="强力推进水利设施建设。"
    )
    session.add_all(
        [
            Contact(telegram_user_id=CONTACT, unit_id=transport.id, role=ContactRole.CONTACT),
            Contact(telegram_user_id=PRINCIPAL, unit_id=transport.id, role=ContactRole.PRINCIPAL),
            Contact(telegram_user_id=CONTACT_2, unit_id=development.id, role=ContactRole.CONTACT),
            Staff(telegram_user_id=STAFF),
        ]
    )
    await session.flush()
    return {TRANSPORT: transport.id, DEVELOPMENT: development.id, WATER: water.id,
            "5": t5.id, "6": t6.id, "8": t8.id}  # fmt: skip


async def report(session: AsyncSession, user_id: int, number: int, text: str, at: datetime) -> int:
    """`user_id` reports task `number` for 2023-05 at `at` (as the chat would); the entry id."""
    identity = await identify(session, user_id)
    recorded = await submit(
        session, identity=identity, draft=Draft(number, EntryStatus.ON_TRACK, text),
        period=PERIOD, source=Source(user_id, NAMES[user_id], user_id, None, at),
        rules=CalendarRules(), tz=SHANGHAI,
    )  # fmt: skip
    return recorded.entry.id


async def approve(session: AsyncSession, entry_id: int, at: datetime) -> None:
    identity = await identify(session, PRINCIPAL)
    await review(session, identity=identity, entry_id=entry_id, approve=True, note=None, now=at,
                 chat_id=PRINCIPAL)  # fmt: skip


async def seed_month(session: AsyncSession, *, approve_first: bool = True) -> dict[str, int]:
    """The registry plus reports: transport's 5 approved (or, without `approve_first`, waiting
    too) and 6 waiting for 审定, development's 6 accepted (no principal), nothing on 8."""
    ids = await seed(session)
    at = BEFORE_DUE - timedelta(days=1)
    first = await report(session, CONTACT, 5, "已完成路基工程。", at)
    if approve_first:
        await approve(session, first, at)
    await report(session, CONTACT, 6, "新开通公交线路2条。", at)
    await report(session, CONTACT_2, 6, "完成线网优化方案。", at)
    return ids


async def seed_milestones(session: AsyncSession, ids: dict[str, int]) -> None:
    """Q2 targets on 5 and 6: transport met 5, development partly 6, transport has not
    answered 6; task 8 has no Q2 target."""
    m5 = Milestone(task_id=ids["5"], quarter=2, target="路基完工", due_date=date(2023, 6, 30))
    m6 = Milestone(task_id=ids["6"], quarter=2, target="新开线路3条", due_date=date(2023, 6, 30))
    session.add_all([m5, m6])
    await session.flush()
    at = AFTER_DUE - timedelta(days=1)
    session.add_all(
        [
            MilestoneResult(milestone_id=m5.id, unit_id=ids[TRANSPORT],
                            outcome=MilestoneOutcome.MET, submitted_at=at),
            MilestoneResult(milestone_id=m6.id, unit_id=ids[DEVELOPMENT],
                            outcome=MilestoneOutcome.PARTLY, explanation="已开2条",
                            submitted_at=at),
        ]
    )  # fmt: skip


async def seed_marks(session: AsyncSession, ids: dict[str, int]) -> None:
    """督办 outcomes: transport's 5 closed off (已销号) on 5 June, asked in 2023-05;
    development's 6 closed in 2023-06 (later: not a 2023-05 mark); development's 8 extended
    to 20 June (approved) and transport's 6 asked for an extension not decided yet."""
    at = AFTER_DUE - timedelta(days=3)
    closed = {"state": ClosureState.CLOSED, "requested_by": CONTACT, "requested_at": at}
    asked = {"reason": "资金未到位", "previous_due_at": at, "requested_by": CONTACT_2,
             "requested_at": at}  # fmt: skip
    session.add_all(
        [
            Closure(task_id=ids["5"], unit_id=ids[TRANSPORT], period="2023-05",
                    closed_on=date(2023, 6, 5), **closed),
            Closure(task_id=ids["6"], unit_id=ids[DEVELOPMENT], period="2023-06",
                    closed_on=date(2023, 7, 5), **closed),
            ExtensionRequest(period="2023-05", task_id=ids["6"], unit_id=ids[TRANSPORT],
                             until=date(2023, 6, 20), state=RequestState.APPROVED, **asked),
            ExtensionRequest(period="2023-05", task_id=ids["8"], unit_id=ids[DEVELOPMENT],
                             until=date(2023, 6, 30), state=RequestState.PENDING, **asked),
        ]
    )  # fmt: skip
    await session.flush()


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
