"""Who owes what for a period: the rule behind the materialised obligations.

A unit owes a report on every task it leads, directly or as a member of a collective lead
(各县(区) leads → 雁江区, 安岳县 and 乐至县 each owe it), and a short input (配合单位反馈) on every
task it supports, due a few working days before the lead's deadline so the lead can use it. A
unit that leads a task does not also owe it as a supporter. A unit paused on the day a period
opens owes nothing for that period; periods opened before the pause keep what they owe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ledger.closure import closed_before
from ledger.periods import Period
from ledger.timetable import BUREAU_TZ, DEFAULT_RULES, CalendarRules, at_local, ledger_schedule
from ledger.vocab import UnitRole
from ledger.workdays import add_workdays

OWING_ROLES = frozenset({UnitRole.LEAD, UnitRole.SUPPORT})


@dataclass(frozen=True)
class Link:
    task_id: int
    unit_id: int
    role: UnitRole


@dataclass(frozen=True)
class Pause:
    """A unit's pause, both days included; `ends_on` None means until resumed."""

    starts_on: date
    ends_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def is_paused(pauses: Iterable[Pause], day: date) -> bool:
    return any(pause.covers(day) for pause in pauses)


@dataclass(frozen=True, order=True)
class Owed:
    """One obligation: `unit_id` owes a report on `task_id` in `role`; `via_unit_id` is the
    collective it owes it through (None when the unit is named itself)."""

    task_id: int
    unit_id: int
    role: UnitRole
    via_unit_id: int | None = None


def owed(
    links: Iterable[Link],
    members: Mapping[int, Iterable[int]],
    pauses: Mapping[int, Iterable[Pause]] | None = None,
    *,
    opens_on: date | None = None,
    support: bool = False,
    closed: Mapping[tuple[int, int], date] | None = None,
) -> list[Owed]:
    """The obligations of a period opening on `opens_on` (pauses apply only with a day).

    A collective with members passes its obligation on to them; one without members keeps it
    (someone bound to the collective itself can still report). Lead links create obligations;
    support links too with `support` (the plan asks for supporting units' input); data-provider
    links never. A unit named both itself and through a collective owes the task once, and a
    unit that leads a task owes no support input on it.
    """
    roles = OWING_ROLES if support else {UnitRole.LEAD}
    closed = closed or {}  # (task, unit) → the day it was closed (销号): ledger.closure
    pauses = pauses or {}
    found: dict[tuple[int, int, UnitRole], Owed] = {}
    for link in sorted(links, key=lambda k: (k.task_id, k.unit_id)):
        if link.role not in roles:
            continue
        group = list(members.get(link.unit_id) or ())
        targets = [(unit, link.unit_id) for unit in group] if group else [(link.unit_id, None)]
        for unit_id, via in targets:
            if opens_on is not None and is_paused(pauses.get(unit_id, ()), opens_on):
                continue
            if opens_on is not None and closed_before(closed, link.task_id, unit_id, opens_on):
                continue
            key = (link.task_id, unit_id, link.role)
            if key not in found or via is None:  # named directly beats "through a collective"
                found[key] = Owed(link.task_id, unit_id, link.role, via)
    leads = {(task, unit) for task, unit, role in found if role == UnitRole.LEAD}
    return sorted(
        o for o in found.values() if o.role == UnitRole.LEAD or (o.task_id, o.unit_id) not in leads
    )


def owed_tasks(
    links: Iterable[Link],
    members: Mapping[int, Iterable[int]],
    pauses: Mapping[int, Iterable[Pause]] | None = None,
    *,
    opens_on: date | None = None,
) -> dict[int, set[int]]:
    """unit id → the task ids it owes (a view of `owed`)."""
    result: dict[int, set[int]] = {}
    for item in owed(links, members, pauses, opens_on=opens_on):
        result.setdefault(item.unit_id, set()).add(item.task_id)
    return result


def units_owing(task_id: int, owed_by_unit: Mapping[int, set[int]]) -> list[int]:
    return sorted(unit for unit, tasks in owed_by_unit.items() if task_id in tasks)


def support_due_at(
    period: Period, rules: CalendarRules = DEFAULT_RULES, tz: ZoneInfo = BUREAU_TZ
) -> datetime:
    """When a supporting unit's input (配合单位反馈) for `period` is due: the end of the working
    day `support_workdays_before` working days before the lead's deadline, never before the day
    the prompt goes out (nobody is due before being asked) nor after the lead's own due instant."""
    schedule = ledger_schedule(period, rules, tz)
    day = add_workdays(schedule.deadline, -rules.support_workdays_before)
    day = max(day, schedule.prompt_at.astimezone(tz).date())
    return min(at_local(day + timedelta(days=1), time(0), tz), schedule.due_at)


def due_by_role(
    period: Period, rules: CalendarRules = DEFAULT_RULES, tz: ZoneInfo = BUREAU_TZ
) -> dict[UnitRole, datetime]:
    """When each role's obligation of `period` is due: a supporting unit's input comes first."""
    return {
        UnitRole.LEAD: ledger_schedule(period, rules, tz).due_at,
        UnitRole.SUPPORT: support_due_at(period, rules, tz),
    }
