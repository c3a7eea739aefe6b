"""What units report: monthly entries (versioned, with 审定), evidence and milestone results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.vocab import EntryState, EntryStatus, MilestoneOutcome, UnitRole
from models.base import Base, CreatedAt, TelegramId, str_enum
from models.registry import Milestone, Task, Unit


class LedgerPeriod(Base):
    """A monthly ledger (`2023-03`): when its obligations were written (opened), its prompt went
    out, it is due, and it closed (its obligations are frozen from then on)."""

    __tablename__ = "ledger_periods"

    key: Mapped[str] = mapped_column(String(7), primary_key=True)
    due_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    prompted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class Obligation(Base):
    """The ledger of record: a unit owes a report on a task of a plan for a period.

    Written when the period opens, kept in step with the registry while it is open, frozen when
    it closes. `contacts` / `has_principal` say who could be asked at that moment; `counted_at`
    is the submission time of the first version that counted (the one lateness rule).
    """

    __tablename__ = "obligations"
    __table_args__ = (
        UniqueConstraint("period", "task_id", "unit_id", "role"),
        Index("ix_obligations_period_unit", "period", "unit_id"),
        Index("ix_obligations_period_plan", "period", "plan_id"),
        # Covers the ledger grid's read (services/ledger_grid.py): no table lookups.
        Index(
            "ix_obligations_grid",
            "period",
            "unit_id",
            "plan_id",
            "task_id",
            "counted_at",
            "due_at",
            "contacts",
        ),
        # every column the per-unit summary counts: it reads the index alone, in unit order
        Index(
            "ix_obligations_period_unit_counts",
            "period",
            "unit_id",
            "task_id",
            "plan_id",
            "role",
            "due_at",
            "counted_at",
            "contacts",
            "has_principal",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    role: Mapped[UnitRole] = mapped_column(str_enum(UnitRole))
    via_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    due_at: Mapped[datetime]
    contacts: Mapped[int] = mapped_column(default=0)
    has_principal: Mapped[bool] = mapped_column(default=False)
    counted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ProgressEntry(CreatedAt, Base):
    """One version of a unit's report on a task for a period; only one version is current.

    Edits add a version and mark the old one superseded, so history is never overwritten.
    The (chat_id, message_id) of the Telegram message that produced it makes a re-delivered
    update harmless.
    """

    __tablename__ = "progress_entries"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id", "period", "version"),
        Index(
            "uq_progress_entries_current",
            "task_id",
            "unit_id",
            "period",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index(
            "uq_progress_entries_source",
            "chat_id",
            "message_id",
            unique=True,
            sqlite_where=text("message_id IS NOT NULL"),
            postgresql_where=text("message_id IS NOT NULL"),
        ),
        Index("ix_progress_entries_period_unit", "period", "unit_id", "is_current"),
        Index("ix_progress_entries_unit_period", "unit_id", "period"),
        Index("ix_progress_entries_task_period", "task_id", "period"),
        # The digest's 滞后 list: the current reports marked behind, by index alone.
        Index(
            "ix_progress_entries_behind",
            "period",
            "status",
            "unit_id",
            "task_id",
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        # The grid's "waiting for 审定" per unit, and the review queue.
        Index(
            "ix_progress_entries_current_state",
            "period",
            "state",
            "unit_id",
            "task_id",
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        # the current entries waiting for 审定: few, found without reading the others
        Index("ix_progress_entries_waiting", "period", "state", "is_current", "unit_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    state: Mapped[EntryState] = mapped_column(str_enum(EntryState))
    status: Mapped[EntryStatus] = mapped_column(str_enum(EntryStatus))
    progress: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    reporter_user_id: Mapped[int | None] = mapped_column(TelegramId)
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    chat_id: Mapped[int | None] = mapped_column(TelegramId)
    message_id: Mapped[int | None]
    submitted_at: Mapped[datetime | None]
    late: Mapped[bool] = mapped_column(default=False)
    reviewed_by: Mapped[int | None] = mapped_column(TelegramId)
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship()
    unit: Mapped[Unit] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="entry", cascade="all, delete-orphan"
    )


class Evidence(CreatedAt, Base):
    """A photo or document sent during a report, kept by its Telegram file id."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("progress_entries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(255))
    caption: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[ProgressEntry] = relationship(back_populates="evidence")


class MilestoneResult(CreatedAt, Base):
    """A lead unit's answer to the quarter-end check: was the target met?"""

    __tablename__ = "milestone_results"
    __table_args__ = (UniqueConstraint("milestone_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[MilestoneOutcome] = mapped_column(str_enum(MilestoneOutcome))
    explanation: Mapped[str] = mapped_column(Text, default="")
    reporter_user_id: Mapped[int | None] = mapped_column(TelegramId)
    chat_id: Mapped[int | None] = mapped_column(TelegramId)
    submitted_at: Mapped[datetime]
    late: Mapped[bool] = mapped_column(default=False)

    milestone: Mapped[Milestone] = relationship()
    unit: Mapped[Unit] = relationship()


class StatusRevision(Base):
    """One row of numbers that change with every committed write to what the status summary
    reads (database triggers, migration 0620): a process keeps its last summary while they hold.
    `value` follows every such write, `places` only those that can move a unit in the document's
    order; the `*_txid` columns (PostgreSQL) keep each bump to once per transaction."""

    __tablename__ = "status_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    value_txid: Mapped[int | None] = mapped_column(BigInteger)
    places: Mapped[int] = mapped_column(BigInteger)
    places_txid: Mapped[int | None] = mapped_column(BigInteger)
    marked: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))  # SQLite's clock


class StatusMark(Base):
    """Which (period, unit) a committed write touched last, and when (migration 0630): a kept
    summary counts again only the units marked after it. `period` "" marks a unit in every
    period, unit 0 the whole period. The number is `status_revision.value` of the writing
    transaction on PostgreSQL (given at commit, in commit order) and `status_revision.marked`,
    counted up by each write, on SQLite."""

    __tablename__ = "status_marks"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    mark: Mapped[int] = mapped_column(BigInteger, index=True)
