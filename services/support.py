"""Supporting units' input (配合单位反馈) as the lead unit sees it while reporting a task: each
supporting unit owing an input on the task this period, with its current report or nothing yet.

Read from the ledger of record (the support obligations) and the current entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.entries import is_counted
from ledger.periods import Period
from ledger.vocab import EntryState, EntryStatus, UnitRole
from models import Obligation, ProgressEntry, Unit


@dataclass(frozen=True)
class SupportInput:
    """One supporting unit's input on a task: `status` None means nothing sent yet."""

    unit: str
    due_at: datetime
    status: EntryStatus | None = None
    text: str = ""
    submitted_at: datetime | None = None
    state: EntryState | None = None

    @property
    def sent(self) -> bool:
        """Counted, or waiting for its principal's 审定 (a returned or draft one is not)."""
        return self.state is not None and (
            is_counted(self.state) or self.state == EntryState.SUBMITTED
        )


async def support_inputs(
    session: AsyncSession, *, period: Period, task_id: int
) -> list[SupportInput]:
    """The supporting units owing an input on `task_id` for `period`, by name, with their
    current entry if any."""
    entry = ProgressEntry
    current = and_(
        entry.task_id == Obligation.task_id,
        entry.unit_id == Obligation.unit_id,
        entry.period == Obligation.period,
        entry.is_current,
    )
    rows = await session.execute(
        select(Unit.name, Obligation.due_at, entry.status, entry.progress, entry.submitted_at,
               entry.state)
        .join(Unit, Unit.id == Obligation.unit_id)
        .outerjoin(entry, current)
        .where(
            Obligation.period == period.key,
            Obligation.task_id == task_id,
            Obligation.role == UnitRole.SUPPORT,
        )
        .order_by(Unit.name)
    )  # fmt: skip
    return [
        SupportInput(name, due, status, text or "", at, state)
        for name, due, status, text, at, state in rows
    ]
