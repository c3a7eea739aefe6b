"""三色预警: green submitted, yellow due within N working days, red overdue, else none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.periods import Period, Quarter
from ledger.timetable import (
    BUREAU_TZ,
    CalendarRules,
    ledger_schedule,
    milestone_schedule,
)
from ledger.traffic_light import Light, light_for

DEFAULT = CalendarRules()
# Period 2024-01: prompt Thu 02-01 09:00, deadline Wed 02-07; Sunday 02-04 is a 调休 workday.
JAN_2024 = ledger_schedule(Period(2024, 1))
KNOWN_PERIODS = [Period(y, m) for y in range(2023, 2027) for m in range(1, 13)][:-1]


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BUREAU_TZ)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2024-01-31 12:00", Light.NONE),  # not prompted yet
        ("2024-02-01 08:59", Light.NONE),
        ("2024-02-01 09:00", Light.NONE),  # prompted; 4 working days left
        ("2024-02-04 12:00", Light.NONE),  # 调休 Sunday: 02-05, 02-06, 02-07 left
        ("2024-02-05 00:00", Light.YELLOW),  # 2 working days left: the reminder day
        ("2024-02-07 23:59:59", Light.YELLOW),
        ("2024-02-08 00:00", Light.RED),
        ("2024-03-15 12:00", Light.RED),
    ],
)
def test_light_over_time(now: str, expected: Light) -> None:
    assert light_for(False, sh(now), JAN_2024, DEFAULT) is expected


@pytest.mark.parametrize("now", ["2024-01-20 12:00", "2024-02-05 10:00", "2024-02-20 12:00"])
def test_submitted_is_green_even_when_late(now: str) -> None:
    assert light_for(True, sh(now), JAN_2024, DEFAULT) is Light.GREEN


def test_any_zone_means_the_same_instant() -> None:
    assert light_for(False, datetime(2024, 2, 7, 15, 59, 59, tzinfo=UTC), JAN_2024, DEFAULT) is (
        Light.YELLOW
    )
    assert light_for(False, datetime(2024, 2, 7, 16, tzinfo=UTC), JAN_2024, DEFAULT) is Light.RED


def test_yellow_workdays_zero_is_the_deadline_day_only() -> None:
    rules = CalendarRules(yellow_workdays=0)
    assert light_for(False, sh("2024-02-06 12:00"), JAN_2024, rules) is Light.NONE
    assert light_for(False, sh("2024-02-07 00:00"), JAN_2024, rules) is Light.YELLOW


def test_prompt_on_deadline_day_is_yellow_at_once() -> None:
    """2023-09: National Day moves the prompt onto the deadline day (10-07)."""
    s = ledger_schedule(Period(2023, 9))
    assert light_for(False, sh("2023-10-07 08:59"), s, DEFAULT) is Light.NONE
    assert light_for(False, sh("2023-10-07 09:00"), s, DEFAULT) is Light.YELLOW
    assert light_for(False, sh("2023-10-08 00:00"), s, DEFAULT) is Light.RED


def test_milestone_checks_use_the_same_lights() -> None:
    s = milestone_schedule(Quarter(2023, 3))  # asked 09-22, due at the end of 09-28
    assert light_for(False, sh("2023-09-22 10:00"), s, DEFAULT) is Light.NONE
    assert light_for(False, sh("2023-09-26 10:00"), s, DEFAULT) is Light.YELLOW
    assert light_for(False, sh("2023-09-29 00:00"), s, DEFAULT) is Light.RED


@pytest.mark.parametrize("period", KNOWN_PERIODS, ids=str)
def test_reminders_go_out_under_a_yellow_light_and_escalations_under_red(period: Period) -> None:
    s = ledger_schedule(period)
    for reminder in s.reminders:
        assert light_for(False, reminder, s, DEFAULT) is Light.YELLOW
    assert light_for(False, s.escalation_at, s, DEFAULT) is Light.RED
    assert light_for(False, s.prompt_at.replace(hour=8), s, DEFAULT) is Light.NONE


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        light_for(False, datetime(2024, 2, 5, 12), JAN_2024, DEFAULT)
