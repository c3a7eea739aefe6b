"""Outgoing messages and fired jobs: the durable half of "never lost, never doubled"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.vocab import OutboxState
from models.base import Base, CreatedAt, TelegramId, str_enum


class OutboxMessage(CreatedAt, Base):
    """A message to send. The unique (kind, period, recipient) key is what makes a double
    fire, a restart or a second replica harmless: the second insert simply finds the row."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("kind", "period", "recipient"),
        Index("ix_outbox_state_next_attempt", "state", "next_attempt_at"),
        Index("ix_outbox_chat_sent_message", "chat_id", "sent_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[int] = mapped_column(TelegramId)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_message_id: Mapped[int | None]
    sent_at: Mapped[datetime | None]


class JobRun(Base):
    """A scheduled event (kind, key) that has been processed; start-up catch-up skips these."""

    __tablename__ = "job_runs"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    scheduled_for: Mapped[datetime | None] = mapped_column(index=True)  # catch-up starts here
    fired_at: Mapped[datetime]
    fired_by: Mapped[str | None] = mapped_column(String(64))
