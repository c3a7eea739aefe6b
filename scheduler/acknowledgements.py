"""The 签收 reminder, part of the clockwork's every-minute catch-up: each assignment still not
acknowledged at its reminder time (two working days after it went) gets one reminder to its
unit's contacts, queued in the outbox (its key makes a second pass queue nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import Settings
from messages.acknowledgements import acknowledgement_reminder
from models.db import transaction
from services.assignments import acknowledgements_due
from services.outbox import NewMessage, enqueue_many


async def remind_acknowledgements(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, now: datetime
) -> int:
    """Queue the 签收 reminders now due; returns how many new rows."""
    tz = settings.tz
    async with transaction(session_factory) as session:
        due = await acknowledgements_due(session, now=now, send_time=settings.send_time, tz=tz)
        return await enqueue_many(session, [
            NewMessage("assignment-reminder", f"a{d.assignment_id}", f"c{r.contact_id}",
                       r.user_id, acknowledgement_reminder(d, r, settings.locale, tz), now)
            for d in due for r in d.recipients
        ])  # fmt: skip
