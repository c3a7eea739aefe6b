"""交办/签收: when a plan is imported, each unit's contacts get the unit's assignment — the tasks
it leads and supports (ledger.obligations.owed, collectives passed on to their members), with
deadlines and quarter targets — and a [签收] button; the acknowledgement is recorded with who
and when. One assignment per plan and unit: a re-import sends nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.acknowledgement import reminder_at
from ledger.obligations import Link, owed
from ledger.vocab import UnitRole
from models import Assignment, Milestone, Plan, Task, TaskUnit, Unit, UnitMember
from services.audit import Actor, record
from services.due import Item, Recipient, contacts_of, lead_names, unit_people
from services.identity import Identity
from services.outbox import NewMessage, enqueue_many
from services.reporting import ReportRefused


class AssignmentRefused(ReportRefused):
    """The 签收 cannot be recorded; `key` names the message."""


@dataclass(frozen=True)
class Assigned:
    """One unit's assignment of a plan: its items (a supported task names its leads) and the
    quarter targets per task id."""

    assignment_id: int
    plan_title: str
    unit: str
    items: list[Item]
    targets: dict[int, list[str]] = field(default_factory=dict)


Render = Callable[[Recipient, Assigned], dict[str, Any]]


async def _owed_items(session: AsyncSession, plan: Plan) -> dict[int, list[Item]]:
    rows = await session.execute(
        select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role)
        .join(Task, Task.id == TaskUnit.task_id).where(Task.plan_id == plan.id, Task.active)
    )  # fmt: skip
    links = [Link(t, u, r) for t, u, r in rows]
    members: dict[int, list[int]] = defaultdict(list)
    for collective, member in await session.execute(
        select(UnitMember.collective_id, UnitMember.member_id)
    ):
        members[collective].append(member)
    found = owed(links, members, support=plan.support_reports)
    tasks = {
        t.id: t for t in (await session.scalars(select(Task).where(Task.plan_id == plan.id))).all()
    }
    leads = await lead_names(session, set(tasks))
    items: dict[int, list[Item]] = defaultdict(list)
    for o in found:
        task = tasks[o.task_id]
        due = task.due_date.isoformat() if task.due_date else task.deadline_text
        item = Item(plan.code, task.number, task.text, task.id, due)
        if o.role == UnitRole.SUPPORT:
            item = replace(item, lead="、".join(leads.get(task.id, [])), support_by="")
        items[o.unit_id].append(item)
    return items


async def assign(
    session: AsyncSession, *, plan_id: int, render: Render, now: datetime, actor: Actor
) -> int:
    """Send the plan's assignment to every unit owing something under it that has not had it
    (units without a bound contact get theirs when assigned again later); returns the units."""
    plan = await session.get_one(Plan, plan_id)
    items = await _owed_items(session, plan)
    targets: dict[int, list[str]] = defaultdict(list)
    for task_id, quarter, target in await session.execute(
        select(Milestone.task_id, Milestone.quarter, Milestone.target)
        .join(Task, Task.id == Milestone.task_id).where(Task.plan_id == plan.id)
        .order_by(Milestone.quarter)
    ):  # fmt: skip
        targets[task_id].append(f"Q{quarter}：{target}")
    people = await contacts_of(session, dict(items))
    by_unit: dict[int, list[Recipient]] = defaultdict(list)
    for person in people:
        by_unit[person.unit_id].append(person)
    dialect = session.get_bind().dialect.name
    sent = 0
    for unit_id, recipients in by_unit.items():
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(Assignment)
        assignment_id = await session.scalar(
            insert.values(plan_id=plan.id, unit_id=unit_id, sent_at=now)
            .on_conflict_do_nothing(index_elements=["plan_id", "unit_id"])
            .returning(Assignment.id)
        )
        if assignment_id is None:
            continue
        mine = {i.key: targets[i.key] for i in items[unit_id] if targets[i.key]}
        assigned = Assigned(assignment_id, plan.title, recipients[0].unit, items[unit_id], mine)
        await enqueue_many(session, [
            NewMessage("assignment", f"a{assignment_id}", f"c{r.contact_id}", r.user_id,
                       render(r, assigned), now)
            for r in recipients
        ])  # fmt: skip
        sent += 1
    record(session, actor, "plan.assign", f"plan:{plan.id}", units=sent)
    return sent


async def acknowledge(
    session: AsyncSession, *, assignment_id: int, identity: Identity, now: datetime,
    chat_id: int | None,
) -> tuple[Assignment, str]:  # fmt: skip
    """签收 by a contact or principal of the unit; refused for anyone else and once done
    (saying who and when)."""
    row = await session.get(Assignment, assignment_id)
    units = {b.unit_id for b in identity.bindings}
    if row is None or row.unit_id not in units:
        raise AssignmentRefused("not_yours")
    changed = await session.execute(
        update(Assignment)
        .where(Assignment.id == row.id, Assignment.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by=identity.user_id)
    )
    await session.refresh(row)
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        raise AssignmentRefused("already_acknowledged", at=row.acknowledged_at)
    unit = await session.scalar(select(Unit.name).where(Unit.id == row.unit_id))
    record(session, Actor.telegram(identity.user_id, chat_id), "assignment.acknowledge",
           f"{unit}/plan:{row.plan_id}", assignment_id=row.id)  # fmt: skip
    return row, unit or ""


async def unacknowledged(session: AsyncSession) -> list[str]:
    """Units that were sent an assignment and have not acknowledged it, by name."""
    rows = await session.scalars(
        select(Unit.name).join(Assignment, Assignment.unit_id == Unit.id)
        .where(Assignment.acknowledged_at.is_(None)).distinct().order_by(Unit.name)
    )  # fmt: skip
    return list(rows.all())


@dataclass(frozen=True)
class AcknowledgementDue:
    """An assignment still without 签收 once its reminder is due, and its unit's contacts."""

    assignment_id: int
    plan_title: str
    unit: str
    sent_at: datetime
    recipients: list[Recipient]


async def acknowledgements_due(
    session: AsyncSession, *, now: datetime, send_time: time, tz: ZoneInfo
) -> list[AcknowledgementDue]:
    """Unacknowledged assignments whose reminder time (ledger.acknowledgement) has come, with
    the reachable contacts and principals of their units (a person in both roles once); the
    outbox key keeps it to one per assignment and person."""
    rows = await session.execute(
        select(Assignment.id, Assignment.unit_id, Assignment.sent_at, Plan.title, Plan.code)
        .join(Plan, Plan.id == Assignment.plan_id)
        .where(Assignment.acknowledged_at.is_(None)).order_by(Assignment.id)
    )  # fmt: skip
    found = []
    for assignment_id, unit_id, sent_at, title, code in rows.all():
        if reminder_at(sent_at, send_time, tz) > now:
            continue
        people = _once_each(
            await unit_people(session, {unit_id: [Item(code, 0, title, assignment_id)]})
        )
        if people:
            found.append(AcknowledgementDue(assignment_id, title, people[0].unit, sent_at, people))
    return found


def _once_each(people: list[Recipient]) -> list[Recipient]:
    """The first row of each person (someone both contact and principal is told once)."""
    seen: set[int] = set()
    kept = []
    for r in people:
        if r.user_id not in seen:
            seen.add(r.user_id)
            kept.append(r)
    return kept
