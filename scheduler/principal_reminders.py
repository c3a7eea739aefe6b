"""The principal's 待办提醒, part of the clockwork's every-minute catch-up: on the working day
before a ledger's deadline (ledger.principal_reminder), each principal with entries to 审定 or
销号 to approve gets one reminder, queued in the outbox (kind, period and person make its key,
so a later pass that day, or a restart, queues nothing new)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from ledger.principal_reminder import periods_to_remind
from ledger.timetable import ledger_schedule
from messages.notices import pending_reminder
from models.db import transaction
from services.outbox import NewMessage, enqueue_many
from services.pending import waiting_principals

KIND = "principal-reminder"


async def remind_principals(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, now: datetime
) -> int:
    """Queue the 待办提醒 now due; returns how many new rows."""
    rules, tz = settings.calendar_rules(), settings.tz
    periods = periods_to_remind(now, rules, tz)
    if not periods:
        return 0
    async with transaction(session_factory) as session:
        waiting = await waiting_principals(session)
        return await enqueue_many(session, [
            NewMessage(KIND, period.key, f"u{w.user_id}", w.user_id,
                       pending_reminder(w, period.key, ledger_schedule(period, rules, tz).deadline,
                                        settings.locale), now)
            for period in periods for w in waiting
        ])  # fmt: skip
