"""The 督办 workflow's records: 催办 (a unit chased by the bureau) and 延期申请 (a unit asking
for a later due date on one task of one period)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TelegramId


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
