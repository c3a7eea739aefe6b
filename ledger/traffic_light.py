"""Three-colour status of one unit's ledger for one period (三色预警)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from ledger.status import UnitStatus
from ledger.timetable import CalendarRules, Schedule, to_utc
from ledger.workdays import workdays_between


class Light(StrEnum):
    """GREEN submitted, YELLOW due soon, RED overdue, NONE nothing to flag yet."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"


def light_for(submitted: bool, now: datetime, schedule: Schedule, rules: CalendarRules) -> Light:
    """The light at `now` (aware, any zone).

    Yellow means prompted, not submitted, and at most `rules.yellow_workdays` working days left
    after today until the deadline day (0 on the deadline day itself), so by default the light
    turns yellow on the day the "2 working days before" reminder goes out. A late submission is
    still green: lateness is `timetable.is_late`'s business.
    """
    if submitted:
        return Light.GREEN
    moment = to_utc(now)
    if moment >= to_utc(schedule.due_at):
        return Light.RED
    if moment < to_utc(schedule.prompt_at):
        return Light.NONE
    today = now.astimezone(schedule.due_at.tzinfo).date()
    if workdays_between(today, schedule.deadline) <= rules.yellow_workdays:
        return Light.YELLOW
    return Light.NONE


def unit_light(unit: UnitStatus, now: datetime, schedule: Schedule, rules: CalendarRules) -> Light:
    """A unit's light from the one status aggregate: red exactly when something it owes is
    overdue (nothing counted or waiting once the due instant passed), green when complete;
    reports still waiting for 审定 after the deadline are yellow (the principal is chased)."""
    if unit.complete:
        return Light.GREEN
    if unit.overdue:
        return Light.RED
    light = light_for(False, now, schedule, rules)
    return Light.YELLOW if light == Light.RED else light
