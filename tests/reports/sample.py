"""Hand-made report data for golden tests of the writers (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ledger.periods import Period, Quarter
from ledger.vocab import EntryState, EntryStatus, MilestoneOutcome
from reports.data import (
    Entry,
    MilestoneCheck,
    PeriodLedger,
    QuarterData,
    TaskInfo,
    UnitRef,
    YearData,
)

SH = timezone(timedelta(hours=8))
AS_OF = datetime(2023, 7, 12, 10, tzinfo=SH)  # after June's deadline and Q2's milestone check
TRANSPORT, WATER, YANJIANG = (
    UnitRef("市交通运输局", 1),
    UnitRef("市水务局", 2),
    UnitRef("雁江区", 3),
)
ROAD = TaskInfo(
    5, 5, "协同畅通公路网体系。", "二、基础设施", ("市交通运输局", "各县(区)"), ("市发展改革委",)
)
RIVER = TaskInfo(8, 8, "强力推进水利设施建设。", "三、生态环境", ("市水务局",), ())


def entry(
    task: TaskInfo,
    unit: UnitRef,
    period: str,
    status: EntryStatus,
    *,
    late: bool = False,
    state: EntryState = EntryState.APPROVED,
    problems: str | None = None,
) -> Entry:
    return Entry(
        id=task.id * 100 + unit.id, task_id=task.id, task_number=task.number, unit=unit,
        period=period, version=1, is_current=True, state=state, status=status,
        progress=f"{unit.name}完成{task.number}号任务阶段工作。", problems=problems,
        next_steps="继续推进。", reporter="王五", reporter_user_id=7,
        submitted_at=datetime(2023, 6, 12 if late else 5, 10, 30, tzinfo=SH), late=late,
        reviewed_by=9 if state == EntryState.APPROVED else None,
        reviewed_at=datetime(2023, 6, 6, 9, tzinfo=SH) if state == EntryState.APPROVED else None,
        task_text=task.text,
    )  # fmt: skip


def may_ledger(period: str = "2023-05") -> PeriodLedger:
    """Road: transport on track (on time), 雁江区 behind (late); river: water missing."""
    return PeriodLedger(
        period=Period.parse(period),
        plan_title="成资同城化发展2023年工作要点",
        tasks=[ROAD, RIVER],
        owing={ROAD.id: [TRANSPORT, YANJIANG], RIVER.id: [WATER]},
        entries={
            (ROAD.id, TRANSPORT.id): entry(ROAD, TRANSPORT, period, EntryStatus.ON_TRACK),
            (ROAD.id, YANJIANG.id): entry(ROAD, YANJIANG, period, EntryStatus.BEHIND, late=True,
                                          problems="征地拆迁进度偏慢。"),
        },
        due_at=datetime(2023, 6, 8, tzinfo=SH),
    )  # fmt: skip


def quarter() -> QuarterData:
    checks = [
        MilestoneCheck(ROAD, 2, "6月底前控制性工程开工。", date(2023, 6, 30),
                       {TRANSPORT: (MilestoneOutcome.MET, "已开工"), YANJIANG: (None, "")}),
        MilestoneCheck(RIVER, 2, "6月底前完成初设批复。", date(2023, 6, 30),
                       {WATER: (MilestoneOutcome.PARTLY, "已报审")}),
    ]  # fmt: skip
    ledgers = [may_ledger("2023-04"), may_ledger("2023-05"), may_ledger("2023-06")]
    return QuarterData(Quarter(2023, 2), "成资同城化发展2023年工作要点", ledgers, checks, AS_OF)


def year() -> YearData:
    q = quarter()
    return YearData(2023, q.plan_title, q.ledgers, q.milestones)
