"""The principal's 待办提醒: the send time on the working day before the ledger's deadline, due
from then to the end of that day, never before the prompt."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ledger.periods import Period
from ledger.principal_reminder import periods_to_remind, reminder_at
from ledger.timetable import DEFAULT_RULES, CalendarRules, ledger_schedule

SH = ZoneInfo("Asia/Shanghai")


def _at(period: str, rules: CalendarRules = DEFAULT_RULES) -> datetime | None:
    return reminder_at(ledger_schedule(Period.parse(period), rules, SH), rules, SH)


def test_the_working_day_before_the_deadline_skips_a_holiday() -> None:
    # 2023-03 is due Fri 04-07; Thu 04-06 is the working day before (清明 is Wed 04-05).
    assert _at("2023-03") == datetime(2023, 4, 6, 9, 0, tzinfo=SH)
    # 2024-01 is due Wed 02-07: Tue 02-06.
    assert _at("2024-01") == datetime(2024, 2, 6, 9, 0, tzinfo=SH)


def test_a_make_up_saturday_counts_and_a_single_day_ledger_has_none() -> None:
    # 2023-09 is prompted and due Sat 10-07 (调休): the working day before is 09-28, before the
    # prompt, so there is no reminder.
    assert _at("2023-09") is None
    # 2023-12 is due Mon 2024-01-08; the working day before is Fri 01-05.
    assert _at("2023-12") == datetime(2024, 1, 5, 9, 0, tzinfo=SH)


def test_the_send_time_follows_the_rules() -> None:
    rules = CalendarRules(send_time=time(8, 30))
    assert _at("2023-03", rules) == datetime(2023, 4, 6, 8, 30, tzinfo=SH)


def test_due_from_the_send_time_to_the_end_of_that_day_only() -> None:
    def due(moment: datetime) -> list[str]:
        return [p.key for p in periods_to_remind(moment, DEFAULT_RULES, SH)]

    assert due(datetime(2023, 4, 6, 8, 59, tzinfo=SH)) == []
    assert due(datetime(2023, 4, 6, 9, 0, tzinfo=SH)) == ["2023-03"]
    assert due(datetime(2023, 4, 6, 23, 59, tzinfo=SH)) == ["2023-03"]
    assert due(datetime(2023, 4, 7, 9, 0, tzinfo=SH)) == []  # the deadline day: too late
    # The same instant given in UTC (01:00 UTC is 09:00 in Shanghai).
    assert due(datetime(2023, 4, 6, 1, 0, tzinfo=ZoneInfo("UTC"))) == ["2023-03"]
