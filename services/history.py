"""A unit's versions of a task for a period, their review outcomes and their attachments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.history import Change, Content, changes
from ledger.periods import Period
from ledger.plans import TaskRef
from ledger.vocab import EntryState
from models import Evidence, Obligation, Plan, ProgressEntry, Task, TelegramUser


@dataclass(frozen=True)
class Attachment:
    """One piece of evidence: what it is, who sent it with which version, when."""

    entry_id: int
    version: int
    kind: str
    file_id: str
    file_unique_id: str | None
    file_name: str | None
    caption: str | None
    reporter: str
    at: datetime

    @property
    def label(self) -> str:
        return self.file_name or self.kind


@dataclass(frozen=True)
class Version:
    entry_id: int
    version: int
    state: EntryState
    is_current: bool
    submitted_at: datetime | None
    reporter: str
    content: Content
    changes: list[Change]  # against the previous version (everything for the first)
    reviewer: str | None
    reviewed_at: datetime | None
    review_note: str | None
    attachments: list[Attachment]


@dataclass(frozen=True)
class NamedTask:
    """A task as a number names it in a period: one of the tasks of the plans covering it."""

    task_id: int
    number: int
    plan_code: str
    text: str


async def tasks_named(session: AsyncSession, ref: TaskRef, period: Period) -> list[NamedTask]:
    """Task N (or CODE/N) of each plan whose window covers the period, in plan order."""
    query = (
        select(Task.id, Task.number, Plan.code, Task.text)
        .join(Plan, Plan.id == Task.plan_id)
        .where(
            Task.number == ref.number,
            Plan.first_period <= period.key,
            Plan.last_period >= period.key,
        )
        .order_by(Plan.id)
    )
    if ref.plan_code is not None:
        query = query.where(Plan.code == ref.plan_code)
    return [NamedTask(*row) for row in await session.execute(query)]


async def tasks_of_unit(
    session: AsyncSession, unit_id: int, ref: TaskRef, period: Period
) -> list[NamedTask]:
    """Task N among those the unit owed or reported on in the period (else any plan's)."""
    named = await tasks_named(session, ref, period)
    ids = [t.task_id for t in named]
    owed = set(
        (
            await session.scalars(
                select(Obligation.task_id).where(
                    Obligation.period == period.key,
                    Obligation.unit_id == unit_id,
                    Obligation.task_id.in_(ids),
                )
            )
        ).all()
    )
    owed |= set(
        (
            await session.scalars(
                select(ProgressEntry.task_id).where(
                    ProgressEntry.period == period.key,
                    ProgressEntry.unit_id == unit_id,
                    ProgressEntry.task_id.in_(ids),
                )
            )
        ).all()
    )
    mine = [t for t in named if t.task_id in owed]
    return mine or named


async def _files(session: AsyncSession, entry_ids: list[int]) -> dict[int, list[Evidence]]:
    """Each entry's evidence in the order it came (read afresh: entries may be cached)."""
    found: dict[int, list[Evidence]] = {i: [] for i in entry_ids}
    rows = await session.scalars(
        select(Evidence).where(Evidence.entry_id.in_(entry_ids)).order_by(Evidence.id)
    )
    for row in rows:
        found[row.entry_id].append(row)
    return found


def _content(entry: ProgressEntry, files: list[Evidence]) -> Content:
    return Content(
        entry.status,
        entry.progress,
        entry.problems,
        entry.next_steps,
        tuple(e.file_name or e.kind for e in files),
    )


async def _names(session: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    rows = await session.execute(
        select(TelegramUser.telegram_user_id, TelegramUser.first_name).where(
            TelegramUser.telegram_user_id.in_(user_ids)
        )
    )
    return {user: name or str(user) for user, name in rows}


def _reporter(entry: ProgressEntry) -> str:
    return entry.reporter_name or str(entry.reporter_user_id or "")


def _attachments(entry: ProgressEntry, files: list[Evidence]) -> list[Attachment]:
    return [
        Attachment(
            entry.id, entry.version, e.kind, e.file_id, e.file_unique_id, e.file_name,
            e.caption, _reporter(entry), e.created_at,
        )
        for e in files
    ]  # fmt: skip


async def task_history(
    session: AsyncSession, *, unit_id: int, task_id: int, period: Period
) -> list[Version]:
    """Every version of the unit's report on the task for the period, oldest first."""
    entries = (
        await session.scalars(
            select(ProgressEntry)
            .where(
                ProgressEntry.unit_id == unit_id,
                ProgressEntry.task_id == task_id,
                ProgressEntry.period == period.key,
            )
            .order_by(ProgressEntry.version)
        )
    ).all()
    reviewers = await _names(session, {e.reviewed_by for e in entries if e.reviewed_by})
    files = await _files(session, [e.id for e in entries])
    versions: list[Version] = []
    previous: Content | None = None
    for entry in entries:
        content = _content(entry, files[entry.id])
        reviewer = entry.reviewed_by and reviewers.get(entry.reviewed_by, str(entry.reviewed_by))
        versions.append(
            Version(
                entry.id, entry.version, entry.state, entry.is_current, entry.submitted_at,
                _reporter(entry), content, changes(previous, content),
                reviewer or None,
                entry.reviewed_at, entry.review_note, _attachments(entry, files[entry.id]),
            )
        )  # fmt: skip
        previous = content
    return versions


async def changes_since_approved(session: AsyncSession, entry_id: int) -> list[Change] | None:
    """What an entry changes against the unit's last approved version of the same task (this
    period's, else the latest earlier period's); None when no version was ever approved."""
    entry = await session.get_one(ProgressEntry, entry_id)
    approved = await session.scalar(
        select(ProgressEntry)
        .where(
            ProgressEntry.unit_id == entry.unit_id,
            ProgressEntry.task_id == entry.task_id,
            ProgressEntry.state == EntryState.APPROVED,
            or_(
                ProgressEntry.period < entry.period,
                and_(ProgressEntry.period == entry.period, ProgressEntry.version < entry.version),
            ),
        )
        .order_by(ProgressEntry.period.desc(), ProgressEntry.version.desc())
        .limit(1)
    )
    if approved is None:
        return None
    files = await _files(session, [approved.id, entry.id])
    return changes(_content(approved, files[approved.id]), _content(entry, files[entry.id]))


async def evidence_of(
    session: AsyncSession, *, unit_id: int, task_id: int, period: Period
) -> list[Attachment]:
    """The attachments of every version, each file once (the first version that sent it)."""
    seen: set[str] = set()
    found: list[Attachment] = []
    for version in await task_history(session, unit_id=unit_id, task_id=task_id, period=period):
        for item in version.attachments:
            key = item.file_unique_id or item.file_id
            if key not in seen:
                seen.add(key)
                found.append(item)
    return found


async def entry_attachments(session: AsyncSession, entry_id: int) -> list[Attachment]:
    """The attachments of one version (what a principal sees with an approval request)."""
    entry = await session.get_one(ProgressEntry, entry_id)
    return _attachments(entry, (await _files(session, [entry_id]))[entry_id])
