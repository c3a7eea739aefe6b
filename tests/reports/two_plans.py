"""Hand-made report data with two plans owed in the same periods, for golden tests of the writers.

2023-05 and 2023-06 (due the 7th of the next month, so `due_at` is the 8th, 00:00), two plans:

* 工作要点 (plan 1): task 5 (ROAD) owed by 市交通运输局 and 雁江区, task 8 (RIVER) by 市水务局.
* 十件大事 (plan 2): task 5 (BIG, a long text) owed by 雁江区 and 安岳县.

市交通运输局 has a principal (approved entries), 雁江区 has a contact but no principal (its entries
count at once: 未经审定（无审定人）), 市水务局 has a contact and never reports, 安岳县 has no bound
contact at all (`contacts=0`: nobody could be prompted).

What happened (period, plan/task, unit):

* 2023-05 工作要点/5 交通: approved, on time (06-05).
* 2023-05 工作要点/5 雁江区: accepted on time (06-05), corrected late (06-12): stays on time.
* 2023-05 工作要点/8 水务: missing.
* 2023-05 十件大事/5 雁江区: accepted on time (06-05), 滞后 with no problems stated.
* 2023-05 十件大事/5 安岳县: missing, unbound.
* 2023-06 工作要点/5 交通: approved, late (07-10).
* 2023-06 工作要点/5 雁江区: accepted on time (07-05), 滞后: 征地拆迁进度偏慢。
* 2023-06 工作要点/8 水务: missing.
* 2023-06 十件大事/5 雁江区: missing (bound).
* 2023-06 十件大事/5 安岳县: missing, unbound.
"""

from __future__ import annotations

from datetime import date, datetime

from ledger.periods import Period, Quarter
from ledger.vocab import EntryState, EntryStatus, MilestoneOutcome
from reports.data import (
    Entry,
    MilestoneCheck,
    PeriodLedger,
    PlanInfo,
    QuarterData,
    Record,
    TaskInfo,
    UnitRef,
    YearData,
)
from tests.reports.sample import SH

POINTS = PlanInfo(1, "工作要点", "成资同城化发展2023年工作要点")
TEN = PlanInfo(2, "十件大事", "成德眉资同城化十件大事")
TRANSPORT, WATER, YANJIANG, ANYUE = (
    UnitRef("市交通运输局", 1),
    UnitRef("市水务局", 2),
    UnitRef("雁江区", 3),
    UnitRef("安岳县", 4),
)
ROAD = TaskInfo(5, 5, "协同畅通公路网体系。", "", ("市交通运输局", "各县(区)"), ())
RIVER = TaskInfo(8, 8, "强力推进水利设施建设。", "", ("市水务局",), ())
BIG_TEXT = (
    "加快推进成资大道、成资渝高速等重大交通项目建设，确保控制性工程如期开工，"
    "力争年底前完成主体工程建设任务并实现通车运营，同步推进沿线配套设施建设。"
)
BIG = TaskInfo(105, 5, BIG_TEXT, "", ("雁江区", "安岳县"), ())
AS_OF = datetime(2023, 7, 12, 10, tzinfo=SH)
PLANS = {ROAD.id: POINTS, RIVER.id: POINTS, BIG.id: TEN}
NO_PRINCIPAL = "未经审定（无审定人）"


def rows(ws: object) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]  # type: ignore[attr-defined]


def at(month: int, day: int) -> datetime:
    return datetime(2023, month, day, 10, 30, tzinfo=SH)


def entry(
    task: TaskInfo,
    unit: UnitRef,
    period: str,
    submitted: datetime,
    *,
    state: EntryState,
    status: EntryStatus = EntryStatus.ON_TRACK,
    late: bool = False,
    problems: str | None = None,
    version: int = 1,
) -> Entry:
    approved = state == EntryState.APPROVED
    return Entry(
        id=task.id * 1000 + unit.id * 10 + version, task_id=task.id, task_number=task.number,
        unit=unit, period=period, version=version, is_current=True, state=state, status=status,
        progress=f"{unit.name}推进{PLANS[task.id].code}第{task.number}项。", problems=problems,
        next_steps="继续推进。", reporter="李四", reporter_user_id=unit.id, submitted_at=submitted,
        late=late, reviewed_by=99 if approved else None,
        reviewed_at=submitted if approved else None, task_text=task.text,
        plan_code=PLANS[task.id].code,
    )  # fmt: skip


def record(period: str, counted: datetime | None, *, approved: bool = False,
           contacts: int = 1, principal: bool = False) -> Record:  # fmt: skip
    due = datetime(2023, Period.parse(period).month + 1, 8, tzinfo=SH)
    return Record(due, counted, approved, contacts, principal)


def ledgers() -> list[PeriodLedger]:
    approved, accepted = EntryState.APPROVED, EntryState.ACCEPTED
    may, june = "2023-05", "2023-06"
    return [
        PeriodLedger(
            Period.parse(may), POINTS.title, [ROAD, RIVER],
            {ROAD.id: [TRANSPORT, YANJIANG], RIVER.id: [WATER]},
            {
                (ROAD.id, TRANSPORT.id): entry(ROAD, TRANSPORT, may, at(6, 5), state=approved),
                # the current version is a correction sent after the deadline (late flag set)
                (ROAD.id, YANJIANG.id): entry(ROAD, YANJIANG, may, at(6, 12), state=accepted,
                                              late=True, version=2),
            },
            datetime(2023, 6, 8, tzinfo=SH), POINTS.code,
            {
                (ROAD.id, TRANSPORT.id): record(may, at(6, 5), approved=True, principal=True),
                (ROAD.id, YANJIANG.id): record(may, at(6, 5)),
                (RIVER.id, WATER.id): record(may, None),
            },
            POINTS.id,
        ),
        PeriodLedger(
            Period.parse(may), TEN.title, [BIG], {BIG.id: [YANJIANG, ANYUE]},
            {(BIG.id, YANJIANG.id): entry(BIG, YANJIANG, may, at(6, 5), state=accepted,
                                          status=EntryStatus.BEHIND)},
            datetime(2023, 6, 8, tzinfo=SH), TEN.code,
            {(BIG.id, YANJIANG.id): record(may, at(6, 5)),
             (BIG.id, ANYUE.id): record(may, None, contacts=0)},
            TEN.id,
        ),
        PeriodLedger(
            Period.parse(june), POINTS.title, [ROAD, RIVER],
            {ROAD.id: [TRANSPORT, YANJIANG], RIVER.id: [WATER]},
            {
                (ROAD.id, TRANSPORT.id): entry(ROAD, TRANSPORT, june, at(7, 10), state=approved,
                                               late=True),
                (ROAD.id, YANJIANG.id): entry(ROAD, YANJIANG, june, at(7, 5), state=accepted,
                                              status=EntryStatus.BEHIND,
                                              problems="征地拆迁进度偏慢。"),
            },
            datetime(2023, 7, 8, tzinfo=SH), POINTS.code,
            {
                (ROAD.id, TRANSPORT.id): record(june, at(7, 10), approved=True, principal=True),
                (ROAD.id, YANJIANG.id): record(june, at(7, 5)),
                (RIVER.id, WATER.id): record(june, None),
            },
            POINTS.id,
        ),
        PeriodLedger(
            Period.parse(june), TEN.title, [BIG], {BIG.id: [YANJIANG, ANYUE]}, {},
            datetime(2023, 7, 8, tzinfo=SH), TEN.code,
            {(BIG.id, YANJIANG.id): record(june, None),
             (BIG.id, ANYUE.id): record(june, None, contacts=0)},
            TEN.id,
        ),
    ]  # fmt: skip


def checks() -> list[MilestoneCheck]:
    due = date(2023, 6, 30)
    return [
        MilestoneCheck(ROAD, 2, "6月底前控制性工程开工。", due,
                       {TRANSPORT: (MilestoneOutcome.MET, "已开工"), YANJIANG: (None, "")},
                       POINTS),
        MilestoneCheck(BIG, 2, "6月底前完成主体工程招标。", due,
                       {YANJIANG: (MilestoneOutcome.PARTLY, "已挂网"), ANYUE: (None, "")}, TEN),
    ]  # fmt: skip


def quarter() -> QuarterData:
    titles = f"{POINTS.title}；{TEN.title}"
    return QuarterData(Quarter(2023, 2), titles, ledgers(), checks(), AS_OF, [POINTS, TEN])


def year() -> YearData:
    return YearData(2023, f"{POINTS.title}；{TEN.title}", ledgers(), checks())
