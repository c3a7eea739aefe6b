"""The 督办 workflow's records: 交办/签收 (a plan's assignment to a unit, acknowledged), 催办 (a
unit chased by the bureau), 延期申请 (a unit asking for a later due date on one task of one
period) and 销号 (closing a finished task for a unit)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.vocab import ClosureState, RequestState
from models.base import Base, TelegramId, str_enum


class Urge(Base):
    """One 催办: staff chased a unit's contacts and principal about its missing reports. At most
    one per unit per day (the unique key makes a double press harmless)."""

    __tablename__ = "urges"
    __table_args__ = (
        UniqueConstraint("unit_id", "day"),
        Index("ix_urges_period", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    day: Mapped[date]  # the bureau's day it went out
    sent_at: Mapped[datetime]
    by_user_id: Mapped[int | None] = mapped_column(TelegramId)
    chat_id: Mapped[int | None] = mapped_column(TelegramId)
    tasks: Mapped[int] = mapped_column(default=0)  # how many missing tasks it named
    note: Mapped[str | None] = mapped_column(Text)


class ExtensionRequest(Base):
    """延期申请: a unit's contact asks for a later due date on one task of one period; staff
    approve (the obligation's due instant moves, `previous_due_at` keeps the old one) or not."""

    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extension_requests_period_unit", "period", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    until: Mapped[date]  # the new last day, included
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(str_enum(RequestState))
    after_deadline: Mapped[bool] = mapped_column(default=False)
    previous_due_at: Mapped[datetime]
    requested_by: Mapped[int] = mapped_column(TelegramId)
    chat_id: Mapped[int | None] = mapped_column(TelegramId)
    requested_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(TelegramId)
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)  # why it was declined, as typed


class Closure(Base):
    """销号: the lead unit asks to close a finished task; its principal approves, staff confirm
    (`closed_on`), or it is sent back; staff can reopen it. One row per request."""

    __tablename__ = "closures"
    __table_args__ = (Index("ix_closures_task_unit", "task_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))  # the period it was asked in
    state: Mapped[ClosureState] = mapped_column(str_enum(ClosureState))
    requested_by: Mapped[int] = mapped_column(TelegramId)
    requested_at: Mapped[datetime]
    approved_by: Mapped[int | None] = mapped_column(TelegramId)  # the unit's principal
    decided_by: Mapped[int | None] = mapped_column(TelegramId)  # staff: confirmed or returned
    decided_at: Mapped[datetime | None]
    closed_on: Mapped[date | None]
    return_reason: Mapped[str | None] = mapped_column(Text)  # why it was sent back, as typed
    reopened_by: Mapped[int | None] = mapped_column(TelegramId)


class Assignment(Base):
    """交办: a plan's tasks handed to a unit (sent to its contacts), and its 签收 (who, when)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("plan_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(TelegramId)
