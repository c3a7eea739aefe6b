"""Plain data the report writers take: what services.reports loads, nothing bound to a session.

Keeping the writers on these small frozen records lets them be tested with hand-made rows and
benchmarked without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ledger.periods import Period, Quarter
from ledger.vocab import EntryState, EntryStatus, MilestoneOutcome


@dataclass(frozen=True, order=True)
class UnitRef:
    name: str
    id: int


@dataclass(frozen=True, order=True)
class PlanInfo:
    """A plan as documents name it: its title at the top of its sheet or section, its code in
    task references (`十件大事/5`)."""

    id: int
    code: str
    title: str


NO_PLAN = PlanInfo(0, "", "")


@dataclass(frozen=True)
class TaskInfo:
    id: int
    number: int
    text: str
    section: str  # "一、全力推进重大基础设施项目建设", or "" when the plan has no sections
    leads: tuple[str, ...]
    supports: tuple[str, ...]
    active: bool = True  # False: removed from the plan since (kept where it was owed)


@dataclass(frozen=True)
class Attachment:
    """A photo or document sent with an entry: what, who, when (listed in the documents)."""

    kind: str  # photo, document
    file_name: str | None
    reporter: str | None
    at: datetime | None

    def describe(self, tz: ZoneInfo) -> str:
        """`文件 方案.pdf（王五，2023-04-03 10:00）`, `照片（王五，…）`."""
        what = "照片" if self.kind == "photo" else "文件"
        if self.file_name:
            what += f" {self.file_name}"
        when = self.at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if self.at else ""
        who = "，".join(part for part in (self.reporter or "", when) if part)
        return f"{what}（{who}）" if who else what


@dataclass(frozen=True)
class Entry:
    """One version of a unit's report on a task for a period."""

    id: int
    task_id: int
    task_number: int
    unit: UnitRef
    period: str
    version: int
    is_current: bool
    state: EntryState
    status: EntryStatus
    progress: str
    problems: str | None
    next_steps: str | None
    reporter: str | None
    reporter_user_id: int | None
    submitted_at: datetime | None
    late: bool
    reviewed_by: int | None = None
    reviewed_at: datetime | None = None
    review_note: str | None = None
    task_text: str = ""
    plan_code: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def reported(self) -> bool:
        """Counts as a report: approved, accepted without a principal, or waiting for 审定."""
        return self.is_current and self.state in (
            EntryState.APPROVED, EntryState.ACCEPTED, EntryState.SUBMITTED,
        )  # fmt: skip


@dataclass(frozen=True)
class Record:
    """What the ledger of record holds about one obligation."""

    due_at: datetime
    counted_at: datetime | None = None  # submission time of the first version that counted
    approved: bool = False  # a principal approved a version (not merely counted without one)
    contacts: int = 1  # bound contacts when the period opened (0: nobody could be prompted)
    has_principal: bool = False

    @property
    def late(self) -> bool:
        return self.counted_at is not None and self.counted_at >= self.due_at


@dataclass(frozen=True)
class PeriodLedger:
    """One monthly ledger of one plan: its tasks, who owed each, the current entries, and the
    ledger of record's facts per obligation."""

    period: Period
    plan_title: str
    tasks: list[TaskInfo]
    owing: dict[int, list[UnitRef]]  # task id → units that owe a report, in lead order
    entries: dict[tuple[int, int], Entry]  # (task id, unit id) → current entry
    due_at: datetime | None = None  # the period's deadline (aware)
    plan_code: str = ""
    records: dict[tuple[int, int], Record] = field(default_factory=dict)
    plan_id: int = 0
    supporting: dict[int, list[UnitRef]] = field(default_factory=dict)  # task → 配合 units owing

    def support_inputs(self, task_id: int) -> list[tuple[UnitRef, Entry | None]]:
        """The supporting units owing an input on the task, with their current entry or None."""
        return [(u, self.entries.get((task_id, u.id))) for u in self.supporting.get(task_id, [])]

    @property
    def plan(self) -> PlanInfo:
        return PlanInfo(self.plan_id, self.plan_code, self.plan_title)

    def rows(self) -> Iterator[tuple[TaskInfo, UnitRef, Entry | None]]:
        """(task, unit, entry or None) for every owed lead report, then reports on tasks a unit
        did not owe (a report is never hidden); supporting units' inputs are `support_inputs`."""
        unowed: dict[int, list[UnitRef]] = {}
        for (task_id, _), entry in self.entries.items():
            if entry.unit not in (*self.owing.get(task_id, ()), *self.supporting.get(task_id, ())):
                unowed.setdefault(task_id, []).append(entry.unit)
        for task in self.tasks:
            for unit in [*self.owing.get(task.id, []), *sorted(unowed.get(task.id, []))]:
                yield task, unit, self.entries.get((task.id, unit.id))


@dataclass(frozen=True)
class MilestoneCheck:
    """A task's quarter-end target and each expected unit's answer (None: not answered)."""

    task: TaskInfo
    quarter: int
    target: str
    due: date
    answers: dict[UnitRef, tuple[MilestoneOutcome | None, str]] = field(default_factory=dict)
    plan: PlanInfo = NO_PLAN


def plans_of(ledgers: Iterable[PeriodLedger], checks: Iterable[MilestoneCheck]) -> list[PlanInfo]:
    """The plans behind some ledgers and milestone checks, in plan order (by id)."""
    found = {ledger.plan for ledger in ledgers} | {check.plan for check in checks}
    return sorted(found - {NO_PLAN})


@dataclass(frozen=True)
class Extended:
    """A granted 延期申请: the unit's report on task N of `period` is due when `until` ends."""

    unit: UnitRef
    task_number: int
    period: str
    until: date


@dataclass(frozen=True)
class QuarterData:
    quarter: Quarter
    plan_title: str  # the plans' titles, joined
    ledgers: list[PeriodLedger]  # the periods counted (deadline passed), one per plan
    milestones: list[MilestoneCheck]
    as_of: datetime  # the moment the figures are taken at: the documents' "made at" stamp
    plans: list[PlanInfo] = field(default_factory=list)  # every plan the quarter owes under
    urges: dict[UnitRef, int] = field(default_factory=dict)  # 催办 each unit needed
    extensions: list[Extended] = field(default_factory=list)  # granted 延期申请

    def covered(self) -> list[PlanInfo]:
        """The plans the bulletin covers: those given, else those of its ledgers and checks."""
        return self.plans or plans_of(self.ledgers, self.milestones)

    def periods(self) -> list[str]:
        """The periods counted (their deadline had passed), in order."""
        return sorted({ledger.period.key for ledger in self.ledgers})


@dataclass(frozen=True)
class YearData:
    year: int
    plan_title: str  # the plans' titles, joined
    ledgers: list[PeriodLedger]  # the periods counted (deadline passed)
    milestones: list[MilestoneCheck]  # the quarters counted

    def covered(self) -> list[PlanInfo]:
        return plans_of(self.ledgers, self.milestones)
