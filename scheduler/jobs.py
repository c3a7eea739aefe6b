"""What each scheduled event sends. Jobs only decide what is due and queue outbox rows,
in one transaction with the JobRun that marks the event done; the dispatcher sends.

Firing an event twice (a double timer, a restart, a second replica, `ledgerbot fire`) queues
nothing new: every row has a unique (kind, period, recipient) key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from ledger.periods import Period, Quarter
from ledger.timetable import AsOf, EventKind, ledger_schedule
from messages import notices
from messages.digest import DigestApp, digest_chart, digest_message
from models import JobRun
from models.db import transaction
from services.audit import Actor, record
from services.chats import subscribed_chats
from services.digest import digest_data
from services.due import (
    ledger_recipients,
    milestone_recipients,
    overdue_units,
    review_recipients,
    staff_recipients,
)
from services.obligations import open_ledger, set_closed
from services.outbox import NewMessage, enqueue_many
from services.status import period_status
from services.urging import overdue_people


@dataclass(frozen=True)
class Firing:
    """One event being processed: `key` is the period, quarter or digest day; `day` tags
    events that happen several times per key (reminders)."""

    kind: EventKind
    key: str
    now: datetime
    settings: Settings

    @property
    def day(self) -> date:
        return self.now.astimezone(self.settings.tz).date()

    @property
    def lang(self) -> str:
        return self.settings.locale

    @property
    def public_url(self) -> str | None:
        """Where the Mini App is served (buttons into it), or None: no such buttons."""
        return self.settings.public_url

    @property
    def when(self) -> AsOf:
        """The keyword arguments every ledger-of-record read takes."""
        return AsOf(now=self.now, rules=self.settings.calendar_rules(), tz=self.settings.tz)


Handler = Callable[[AsyncSession, Firing], Awaitable[list[NewMessage]]]


async def _ledger_prompts(session: AsyncSession, f: Firing) -> list[NewMessage]:
    period = Period.parse(f.key)
    schedule = ledger_schedule(period, f.settings.calendar_rules(), f.settings.tz)
    row = await open_ledger(session, period, **f.when)
    row.prompted_at = row.prompted_at or f.now
    return [
        NewMessage(
            "ledger-prompt",
            period.key,
            f"c{r.contact_id}",
            r.user_id,
            notices.prompt(r, period.key, schedule.deadline, f.lang, f.public_url),
            f.now,
        )
        for r in await ledger_recipients(session, period, **f.when)
    ]


async def _reminders(session: AsyncSession, f: Firing) -> list[NewMessage]:
    period = Period.parse(f.key)
    schedule = ledger_schedule(period, f.settings.calendar_rules(), f.settings.tz)
    tag = f"{period.key}@{f.day}"
    contacts = [
        NewMessage(
            "ledger-reminder",
            tag,
            f"c{r.contact_id}",
            r.user_id,
            notices.reminder(r, period.key, schedule.deadline, f.lang, f.public_url),
            f.now,
        )
        for r in await ledger_recipients(session, period, only_missing=True, **f.when)
    ]
    status = await period_status(session, period=period, **f.when)
    principals = [
        NewMessage(
            "review-reminder",
            tag,
            f"p{r.contact_id}",
            r.user_id,
            notices.review_reminder(r, period.key, schedule.deadline, f.lang, f.public_url),
            f.now,
        )
        for r in await review_recipients(status, session)
    ]
    return contacts + principals


async def _escalations(session: AsyncSession, f: Firing) -> list[NewMessage]:
    period = Period.parse(f.key)
    schedule = ledger_schedule(period, f.settings.calendar_rules(), f.settings.tz)
    status = await period_status(session, period=period, **f.when)
    overdue, unbound = overdue_units(status)
    if not overdue and not unbound:
        return []
    staff = [
        NewMessage(
            "ledger-escalation",
            period.key,
            f"s{uid}",
            uid,
            notices.escalation(overdue, unbound, period.key, schedule.deadline, lang or f.lang),
            f.now,
        )
        for uid, lang in await staff_recipients(session, f.settings.admin_ids)
    ]
    told = await overdue_people(session, overdue + unbound, f.settings.tz)
    return staff + [
        NewMessage("ledger-overdue", period.key, f"c{r.contact_id}", r.user_id,
                   notices.overdue_notice(r, period.key, schedule.deadline, f.lang,
                                          buttons=contact, public_url=f.public_url), f.now)
        for r, contact in told
    ]  # fmt: skip


async def _milestone_checks(
    session: AsyncSession, f: Firing, *, reminder: bool = False
) -> list[NewMessage]:
    quarter = Quarter.parse(f.key)
    kind, tag = (
        ("milestone-reminder", f"{quarter.key}@{f.day}")
        if reminder
        else ("milestone-check", quarter.key)
    )
    build = notices.milestone_reminder if reminder else notices.milestone_check
    return [
        NewMessage(
            kind,
            tag,
            f"c{r.contact_id}:m{item.key}",
            r.user_id,
            build(r, item, quarter.key, f.lang),
            f.now,
        )
        for r in await milestone_recipients(session, quarter, only_unanswered=reminder, **f.when)
        for item in r.items
    ]


async def _milestone_reminders(session: AsyncSession, f: Firing) -> list[NewMessage]:
    return await _milestone_checks(session, f, reminder=True)


async def _milestone_escalations(session: AsyncSession, f: Firing) -> list[NewMessage]:
    quarter = Quarter.parse(f.key)
    missing = sorted(
        {
            r.unit
            for r in await milestone_recipients(session, quarter, only_unanswered=True, **f.when)
        }
    )
    if not missing:
        return []
    return [
        NewMessage(
            "milestone-escalation",
            quarter.key,
            f"s{uid}",
            uid,
            notices.milestone_escalation(missing, quarter.key, lang or f.lang),
            f.now,
        )
        for uid, lang in await staff_recipients(session, f.settings.admin_ids)
    ]


async def _digests(session: AsyncSession, f: Firing) -> list[NewMessage]:
    """The digest text, then its chart as a photo (one row each, so a retry resends only one)."""
    settings = f.settings
    data = await digest_data(session, now=f.now, rules=settings.calendar_rules(), tz=settings.tz)
    chats = await subscribed_chats(session)
    if not chats:
        return []
    app = DigestApp(settings.public_url, settings.bot_username)
    text = digest_message(data, f.lang, app)
    chart = digest_chart(data, f.day, f.lang)
    return [
        NewMessage(kind, f.key, f"g{chat.telegram_chat_id}", chat.telegram_chat_id,
                   in_topic(payload, chat.digest_thread_id), f.now)
        for chat in chats
        for kind, payload in (("digest", text), ("digest-chart", chart))
    ]  # fmt: skip


def in_topic(payload: dict[str, Any], thread_id: int | None) -> dict[str, Any]:
    """A forum supergroup's digest goes to the topic it was subscribed from."""
    return payload if thread_id is None else {**payload, "message_thread_id": thread_id}


async def _period_close(session: AsyncSession, f: Firing) -> list[NewMessage]:
    """Freeze the period's obligations (a reopened period is not closed again by a re-fire:
    the event runs once)."""
    await set_closed(session, Period.parse(f.key), closed=True, actor=Actor(via="scheduler"),
                     **f.when)  # fmt: skip
    return []


HANDLERS: dict[EventKind, Handler] = {
    EventKind.LEDGER_PROMPTS: _ledger_prompts,
    EventKind.REMINDERS: _reminders,
    EventKind.ESCALATIONS: _escalations,
    EventKind.MILESTONE_CHECKS: _milestone_checks,
    EventKind.MILESTONE_REMINDERS: _milestone_reminders,
    EventKind.MILESTONE_ESCALATIONS: _milestone_escalations,
    EventKind.DIGESTS: _digests,
    EventKind.PERIOD_CLOSE: _period_close,
}


def run_key(kind: EventKind, key: str, day: date) -> str:
    """JobRun key: reminders happen several times per period, so their day is part of it."""
    repeated = kind in (EventKind.REMINDERS, EventKind.MILESTONE_REMINDERS)
    return f"{key}@{day.isoformat()}" if repeated else key


async def fire(
    kind: EventKind,
    key: str,
    *,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    now: datetime,
    scheduled_for: datetime | None = None,
    fired_by: str = "scheduler",
) -> int:
    """Queue what event (kind, key) sends; returns how many rows were new."""
    firing = Firing(kind, key, now, settings)
    async with transaction(session_factory) as session:
        messages = await HANDLERS[kind](session, firing)
        queued = await enqueue_many(session, messages)
        await mark_run(
            session, kind, run_key(kind, key, firing.day), scheduled_for or now, now, fired_by
        )
        record(
            session,
            Actor(via=fired_by),
            f"fire.{kind}",
            key,
            queued=queued,
            recipients=len(messages),
        )
    return queued


async def mark_run(
    session: AsyncSession,
    kind: str,
    key: str,
    scheduled_for: datetime,
    now: datetime,
    fired_by: str,
) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(JobRun)
        .values(kind=kind, key=key, scheduled_for=scheduled_for, fired_at=now, fired_by=fired_by)
        .on_conflict_do_nothing(index_elements=["kind", "key"])
    )


async def has_run(session: AsyncSession, kind: str, key: str) -> bool:
    found = await session.scalar(select(JobRun.key).where(JobRun.kind == kind, JobRun.key == key))
    return found is not None
