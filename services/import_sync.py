"""The bulk writer behind `services.importer`: diff a stored plan's tasks, milestones and unit
links against the document and write the difference set-based (bulk INSERT … RETURNING, bulk
UPDATE by primary key, DELETE … IN), so a 10,000-task table imports in seconds.

A milestone's due date is its quarter's last day: the quarterly check runs at quarter end, and
any deadline in the text ("6月底前…") stays readable in the target.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.importing import ParsedTask
from ledger.vocab import UnitRole
from models import Milestone, MilestoneResult, Plan, Task, TaskUnit
from services.unit_admin import UnitIndex

if TYPE_CHECKING:
    from services.importer import ImportReport

CHUNK = 5000
NO_SYNC = {"synchronize_session": False}
LinkKey = tuple[int, UnitRole]


def quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Slices small enough for any driver's bound-parameter limit."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _roles(task: ParsedTask) -> zip[tuple[UnitRole, list[str]]]:
    return zip(UnitRole, (task.lead_units, task.support_units, task.data_units), strict=True)


def _desired_links(task: ParsedTask, units: UnitIndex) -> dict[LinkKey, int]:
    """(unit id, role) → position; an alias can make two spellings one link."""
    out: dict[LinkKey, int] = {}
    for role, names in _roles(task):
        keys = dict.fromkeys((units.ids[name], role) for name in names)
        out.update((key, i) for i, key in enumerate(keys))
    return out


class Sync:
    """Diffs the stored plan against the document, then writes the difference in bulk."""

    def __init__(self, session: AsyncSession, plan: Plan, sections: dict[str, int],
                 units: UnitIndex, report: ImportReport) -> None:  # fmt: skip
        self.session, self.plan, self.sections = session, plan, sections
        self.units, self.report = units, report
        self.with_results: set[int] = set()
        self.writes: dict[str, list[Any]] = defaultdict(list)

    async def run(self, tasks: list[ParsedTask]) -> None:
        stored, milestones, links, self.with_results = await self._load()
        fresh = []
        for task in tasks:
            row = stored.pop(task.number, None)
            if row is None:
                fresh.append(task)
            else:
                self._compare(task, row, milestones.get(row.id, {}), links.get(row.id, {}))
        for row in stored.values():
            if row.active:  # gone from the document: inactive, links and entries kept
                self.writes["task_up"].append({"id": row.id, "active": False})
                self.report.removed_tasks.append({"number": row.number, "text": row.text})
        await self._insert(fresh)
        await self._write()

    async def _load(self) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any], set[int]]:
        """Stored tasks by number, milestones and links by task id, milestones with results."""
        mine = Task.plan_id == self.plan.id
        tasks = await self.session.execute(
            select(
                Task.id,
                Task.number,
                Task.text,
                Task.section_id,
                Task.active,
                Task.due_date,
                Task.deadline_text,
            ).where(mine)
        )
        columns = (Milestone.task_id, Milestone.quarter, Milestone.id, Milestone.target)
        ms = await self.session.execute(select(*columns, Milestone.due_date).join(Task).where(mine))
        link_columns = (TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role, TaskUnit.position)
        ln = await self.session.execute(select(*link_columns).join(Task).where(mine))
        results = await self.session.scalars(
            select(MilestoneResult.milestone_id).join(Milestone).join(Task).where(mine)
        )
        milestones: dict[int, dict[int, Any]] = defaultdict(dict)
        for m in ms:
            milestones[m.task_id][m.quarter] = m
        links: dict[int, dict[LinkKey, int]] = defaultdict(dict)
        for task_id, unit_id, role, position in ln:
            links[task_id][(unit_id, role)] = position
        return {t.number: t for t in tasks}, milestones, links, set(results)

    def _targets(self, task: ParsedTask) -> dict[int, tuple[str, date]]:
        quarters = {int(q[1]): text for q, text in task.milestones.items()}
        return {q: (text, quarter_end(self.plan.year, q)) for q, text in quarters.items()}

    def _compare(self, task: ParsedTask, row: Any, stored_ms: dict[int, Any],
                 stored_links: dict[LinkKey, int]) -> None:  # fmt: skip
        section_id = self.sections.get(task.section) if task.section else None
        pairs = {"text": (row.text, task.text), "section": (row.section_id, section_id),
                 "deadline": ((row.due_date, row.deadline_text),
                              (task.deadline, task.deadline_text))}  # fmt: skip
        fields = [name for name, (old, new) in (pairs | {"active": (row.active, True)}).items()
                  if old != new]  # fmt: skip
        if fields:
            values = {"id": row.id, "text": task.text, "section_id": section_id, "active": True,
                      "due_date": task.deadline, "deadline_text": task.deadline_text}  # fmt: skip
            self.writes["task_up"].append(values)
        if self._sync_milestones(task.number, row.id, self._targets(task), stored_ms):
            fields.append("milestones")
        if self._sync_links(task.number, row.id, _desired_links(task, self.units), stored_links):
            fields.append("unit_order")
        if fields:
            self.report.changed_tasks.append({"number": task.number, "fields": fields})

    def _sync_milestones(self, number: int, task_id: int, wanted: dict[int, tuple[str, date]],
                         stored: dict[int, Any]) -> bool:  # fmt: skip
        """Queue milestone writes; a dropped quarter with results stays (with a warning)."""
        changed = False
        for quarter, (target, due) in wanted.items():
            old = stored.get(quarter)
            row = {"target": target, "due_date": due}
            if old is None:
                self.writes["ms_new"].append(row | {"task_id": task_id, "quarter": quarter})
            elif (old.target, old.due_date) != (target, due):
                self.writes["ms_up"].append(row | {"id": old.id})
            changed = changed or old is None or (old.target, old.due_date) != (target, due)
        gone = [m.id for q, m in stored.items() if q not in wanted]
        kept = [i for i in gone if i in self.with_results]
        if kept:
            self.report.warnings.append(
                f"task {number}: dropped quarter target kept: it has results"
            )
        self.writes["ms_del"] += [i for i in gone if i not in kept]
        return changed or len(gone) > len(kept)

    def _sync_links(self, number: int, task_id: int, wanted: dict[LinkKey, int],
                    stored: dict[LinkKey, int]) -> bool:  # fmt: skip
        """Report added and removed links; a task whose links differ is relinked whole.

        Returns True when links kept from before now come in a different order.
        """
        if wanted == stored:
            return False
        for key in sorted(wanted.keys() - stored.keys(), key=wanted.__getitem__):
            self.report.added_links.append(self._link_entry(number, key))
        for key in sorted(stored.keys() - wanted.keys(), key=stored.__getitem__):
            self.report.removed_links.append(self._link_entry(number, key))
        self.writes["relink"].append(task_id)
        self.writes["link_new"] += [_link(task_id, k, p) for k, p in wanted.items()]
        kept = wanted.keys() & stored.keys()
        return sorted(kept, key=lambda k: (k[1], wanted[k])) != sorted(
            kept, key=lambda k: (k[1], stored[k])
        )

    def _link_entry(self, number: int, key: LinkKey) -> dict[str, Any]:
        return {"task": number, "unit": self.units.names[key[0]], "role": key[1].value}

    async def _insert(self, tasks: list[ParsedTask]) -> None:
        """Insert new tasks in bulk (ids come back by RETURNING), then queue their rows."""
        rows = [{"plan_id": self.plan.id, "number": t.number, "text": t.text,
                 "section_id": self.sections.get(t.section) if t.section else None,
                 "due_date": t.deadline, "deadline_text": t.deadline_text}
                for t in tasks]  # fmt: skip
        ids: dict[int, int] = {}
        for part in chunks(rows):
            result = await self.session.execute(insert(Task).returning(Task.id, Task.number), part)
            ids.update((number, task_id) for task_id, number in result)
        for task in tasks:
            task_id, wanted = ids[task.number], _desired_links(task, self.units)
            self._sync_milestones(task.number, task_id, self._targets(task), {})
            self.writes["link_new"] += [_link(task_id, k, p) for k, p in wanted.items()]
            units = {
                f"{role.value}_units": self._canonical(listed) for role, listed in _roles(task)
            }
            deadline = task.deadline.isoformat() if task.deadline else task.deadline_text
            entry = {"number": task.number, "text": task.text, "deadline": deadline}
            self.report.added_tasks.append(entry | units)

    def _canonical(self, listed: list[str]) -> list[str]:
        """Registry names of a document's unit list (aliases resolved, repeats dropped)."""
        return list(dict.fromkeys(self.units.names[self.units.ids[n]] for n in listed))

    async def _write(self) -> None:
        """Deletes by id lists, then bulk updates and inserts, all in chunks.

        Links are replaced per task rather than matched row by row: deleting by `task_id` uses
        the primary key's prefix, while per-row composite-key statements cost ~1 ms each on
        PostgreSQL.
        """
        w, run = self.writes, self.session.execute
        for ids in chunks(w["ms_del"]):
            await run(delete(Milestone).where(Milestone.id.in_(ids)), execution_options=NO_SYNC)
        for ids in chunks(w["relink"]):
            await run(delete(TaskUnit).where(TaskUnit.task_id.in_(ids)), execution_options=NO_SYNC)
        bulk = {"task_up": update(Task), "ms_new": insert(_table(Milestone)),
                "ms_up": update(Milestone), "link_new": insert(_table(TaskUnit))}  # fmt: skip
        for name, statement in bulk.items():
            for part in chunks(w[name]):
                await run(statement, part)


def _table(model: type[Any]) -> Table:
    """The Core table: plain executemany inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


def _link(task_id: int, key: LinkKey, position: int) -> dict[str, Any]:
    return {"task_id": task_id, "unit_id": key[0], "role": key[1], "position": position}
