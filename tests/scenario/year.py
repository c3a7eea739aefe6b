"""The driver of the scripted year: every step is one transaction through the real services,
at a Shanghai wall-clock moment, as the bot, the CLI and the scheduler would make it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from ledger.importing import parse_file, parse_text
from ledger.periods import Period, Quarter
from ledger.scoring import Weights
from ledger.timetable import DEFAULT_RULES, AsOf, EventKind
from ledger.vocab import ContactRole, EntryStatus, MilestoneOutcome
from ledgerbot.cli_status import status_json
from messages.digest import digest_message
from models import Milestone, MilestoneResult, OutboxMessage, Plan, Task
from models.db import transaction
from reports.bulletin import Bulletin, build
from reports.scorecard import ScoreRow, score_rows
from scheduler.jobs import fire
from services.audit import Actor
from services.binding import create_invite, redeem_invite, unbind
from services.digest import digest_data
from services.identity import identify
from services.importer import ImportReport, import_plan
from services.milestones import record_answer
from services.pauses import pause
from services.quarter_year_data import quarter_data, year_data
from services.reporting import Draft, Source, submit
from services.reviewing import review
from services.status import period_status
from tests.scenario.plans import POINTS, TEN_CODE

TZ = ZoneInfo("Asia/Shanghai")
CLI = Actor.cli()
STAFF = 900_000_001  # the bureau's admin: escalations go to them


def at(text: str) -> datetime:
    """A Shanghai wall-clock moment, e.g. at("2023-04-03 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def as_of(text: str) -> AsOf:
    return AsOf(now=at(text), rules=DEFAULT_RULES, tz=TZ)


class Year:
    """One database, one bureau, one year of steps."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory
        self.settings = Settings(_env_file=None, admin_ids=[STAFF])  # type: ignore[call-arg]

    @asynccontextmanager
    async def step(self) -> AsyncIterator[AsyncSession]:
        async with transaction(self.factory) as session:
            yield session

    # the registry
    async def import_points(self, when: str) -> ImportReport:
        async with self.step() as s:
            return await import_plan(
                parse_file(POINTS), session=s, source=POINTS.name, actor=CLI, **as_of(when)
            )

    async def import_ten(self, text: str, when: str) -> ImportReport:
        async with self.step() as s:
            return await import_plan(
                parse_text(text),
                session=s,
                source="ten.txt",
                actor=CLI,
                code=TEN_CODE,
                **as_of(when),
            )

    async def bind(self, user: int, unit: str, role: ContactRole, when: str) -> None:
        """Through an invite code, as `/start CODE` binds."""
        async with self.step() as s:
            invite = await create_invite(
                s, unit_name=unit, role=role, uses=1, days=7, now=at(when), actor=CLI
            )
            bound = await redeem_invite(
                s,
                code=invite.code,
                user_id=user,
                display_name=None,
                now=at(when),
                actor=Actor.telegram(user, user),
            )
            assert (bound.unit, bound.problem) == (unit, None)

    async def unbind(self, user: int, unit: str, when: str) -> None:
        async with self.step() as s:
            assert await unbind(s, user_id=user, unit_name=unit, now=at(when), actor=CLI) == 1

    async def pause(self, unit: str, starts: date, ends: date | None, when: str) -> None:
        async with self.step() as s:
            await pause(s, unit_name=unit, starts_on=starts, ends_on=ends, actor=CLI, **as_of(when))

    # people at work
    async def report(
        self,
        user: int,
        number: int,
        period: str,
        when: str,
        *,
        code: str | None = None,
        status: EntryStatus = EntryStatus.ON_TRACK,
        text: str | None = None,
        problems: str | None = None,
    ) -> int:
        """`/report [CODE/]N status text`; returns the new entry's id."""
        async with self.step() as s:
            recorded = await submit(
                s,
                identity=await identify(s, user),
                period=Period.parse(period),
                draft=Draft(
                    number,
                    status,
                    text or f"{period} 任务{number}进展",
                    problems=problems,
                    plan_code=code,
                ),
                source=Source(user, None, user, None, at(when)),
                rules=DEFAULT_RULES,
                tz=TZ,
            )
            return recorded.entry.id

    async def review(self, user: int, entry: int, when: str, *, note: str | None = None) -> None:
        """审定通过, or 退回修改 with a note."""
        async with self.step() as s:
            await review(
                s,
                identity=await identify(s, user),
                entry_id=entry,
                approve=note is None,
                note=note,
                now=at(when),
                chat_id=user,
            )

    async def answer(
        self, user: int, number: int, quarter: int, outcome: MilestoneOutcome, when: str
    ) -> bool:
        """Answer the milestone check of task `number` of the second plan; returns `late`."""
        async with self.step() as s:
            milestone = await s.scalar(
                select(Milestone.id)
                .join(Task, Task.id == Milestone.task_id)
                .join(Plan, Plan.id == Task.plan_id)
                .where(Plan.code == TEN_CODE, Task.number == number, Milestone.quarter == quarter)
            )
            assert milestone is not None
            await record_answer(
                s,
                identity=await identify(s, user),
                milestone_id=milestone,
                outcome=outcome,
                explanation="",
                chat_id=user,
                **as_of(when),
            )
            late = await s.scalar(
                select(MilestoneResult.late).where(MilestoneResult.milestone_id == milestone)
            )
            return bool(late)

    # the scheduler
    async def fire(self, kind: EventKind, key: str, when: str) -> list[OutboxMessage]:
        """Fire a scheduled event at `when`; returns the rows it queued."""
        before = await self._outbox_ids()
        await fire(kind, key, session_factory=self.factory, settings=self.settings, now=at(when))
        async with self.step() as s:
            rows = await s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id.not_in(before))
                .order_by(OutboxMessage.id)
            )
            return list(rows.all())

    async def _outbox_ids(self) -> list[int]:
        async with self.step() as s:
            return list((await s.scalars(select(OutboxMessage.id))).all())

    # what staff read
    async def status(self, period: str, when: str) -> dict[str, Any]:
        """`ledgerbot status --period P --json` at `when`."""
        async with self.step() as s:
            return status_json(await period_status(s, period=Period.parse(period), **as_of(when)))

    async def digest(self, when: str) -> str:
        async with self.step() as s:
            return str(digest_message(await digest_data(s, **as_of(when)), "zh")["text"])

    async def bulletin(self, quarter: str, when: str) -> Bulletin:
        async with self.step() as s:
            data = await quarter_data(s, quarter=Quarter.parse(quarter), **as_of(when))
            assert data is not None
            return build(data)

    async def scorecard(self, through: str, when: str) -> list[ScoreRow]:
        async with self.step() as s:
            data = await year_data(s, year=2023, through=Period.parse(through), **as_of(when))
            assert data is not None
            return score_rows(data, Weights())


def units(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The status JSON's units by name."""
    return {u["unit"]: u for u in status["units"]}


def entries(unit: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A unit's entries in the status JSON by 'CODE/N'."""
    return {f"{e['plan']}/{e['task']}": e for e in unit["entries"]}


def task_lines(message: OutboxMessage) -> list[str]:
    """A prompt's plan headers and task numbers: ['【工作要点】', '5', '6', …]."""
    found = []
    for line in str(message.payload["text"]).split("\n"):
        if line.startswith("【"):
            found.append(line)
        elif line[:1].isdigit() and ". " in line:
            found.append(line.split(". ", 1)[0])
    return found


def button_labels(message: OutboxMessage) -> list[str]:
    """The task buttons' labels up to the task text: ['工作要点/5', …] or ['5', …]."""
    markup = message.payload.get("reply_markup") or {}
    return [b["text"].split(". ", 1)[0] for row in markup.get("inline_keyboard", []) for b in row]
