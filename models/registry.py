"""The plan registry: plans, sections, tasks, quarterly milestones, units and who does what."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.vocab import UnitKind, UnitRole
from models.base import Base, CreatedAt, str_enum, utcnow


class Plan(CreatedAt, Base):
    """A yearly work plan (e.g. 成资同城化发展2023年工作要点), owed from its first to its last
    period ('YYYY-MM'); `code` is its short name; a closed plan is frozen."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("year", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    first_period: Mapped[str] = mapped_column(String(7))
    last_period: Mapped[str] = mapped_column(String(7))
    source: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None]
    # Supporting units owe an input (配合单位反馈) each period; plans stored before this existed
    # keep it off until `ledgerbot plan support on CODE`.
    support_reports: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sections: Mapped[list[Section]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Section.position"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Task.number"
    )


class Section(Base):
    """A numbered part of a plan (一、二、…), grouping tasks for reports."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="sections")


class Task(Base):
    """A numbered task; `active` is False once a re-import drops it (its entries stay)."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    due_date: Mapped[date | None]  # the task's own deadline (完成时限), when the document gives one
    deadline_text: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    section: Mapped[Section | None] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Milestone.quarter"
    )
    unit_links: Mapped[list[TaskUnit]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskUnit.position"
    )


class Milestone(Base):
    """A quarter's target for a task (进度安排 一季度…四季度), checked at the quarter's end."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("task_id", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    quarter: Mapped[int]
    target: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date]

    task: Mapped[Task] = relationship(back_populates="milestones")


class Unit(CreatedAt, Base):
    """A responsible body: department, county, zone, working group or a collective name."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))

    aliases: Mapped[list[UnitAlias]] = relationship(
        back_populates="unit", cascade="all, delete-orphan"
    )


class UnitPause(CreatedAt, Base):
    """A unit's pause, both days included (`ends_on` None: until resumed). A unit owes nothing
    for a period that opens while it is paused."""

    __tablename__ = "unit_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]


class UnitAlias(Base):
    """Another spelling of a unit's name (市发改委 = 市发展改革委), applied on import."""

    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)

    unit: Mapped[Unit] = relationship(back_populates="aliases")


class UnitMember(Base):
    """Membership of a collective (各县(区) → 雁江区, 安岳县, 乐至县): prompts go to members."""

    __tablename__ = "unit_members"

    collective_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TaskUnit(Base):
    """A unit's role on a task; `position` keeps the document's order."""

    __tablename__ = "task_units"
    __table_args__ = (Index("ix_task_units_unit_role", "unit_id", "role"),)

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[UnitRole] = mapped_column(str_enum(UnitRole), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    task: Mapped[Task] = relationship(back_populates="unit_links")
    unit: Mapped[Unit] = relationship()
