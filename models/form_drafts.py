"""The report form's drafts (保存草稿) on the server, so a contact finds them on another device."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TelegramId


class FormDraft(Base):
    """One contact's unsent answers on one task a unit owes for a period; removed when that
    task's report is submitted."""

    __tablename__ = "form_drafts"
    __table_args__ = (UniqueConstraint("unit_id", "period", "task_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(TelegramId)
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime]
