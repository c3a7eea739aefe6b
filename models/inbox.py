"""Incoming updates: every update is a row before Telegram is told it arrived."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.vocab import InboxState
from models.base import Base, TelegramId, str_enum


class InboxUpdate(Base):
    """One Telegram update, raw. The unique ``update_id`` makes a re-delivery a no-op."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_state_next_attempt", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(TelegramId, unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # message, callback_query, …
    chat_id: Mapped[int | None] = mapped_column(TelegramId)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[InboxState] = mapped_column(str_enum(InboxState), default=InboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)  # failed attempts of its handler
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]
