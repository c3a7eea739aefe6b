"""The 签收 reminder's time: the send time on the second working day after the assignment."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ledger.acknowledgement import reminder_at

SH = ZoneInfo("Asia/Shanghai")


def test_sent_on_friday_is_reminded_on_tuesday() -> None:
    # Fri 2023-03-31 → Mon 04-03 (1st working day), Tue 04-04 (2nd).
    sent = datetime(2023, 3, 31, 10, 0, tzinfo=SH)
    assert reminder_at(sent, time(9), SH) == datetime(2023, 4, 4, 9, 0, tzinfo=SH)


def test_a_holiday_does_not_count() -> None:
    # Mon 2023-04-03 → Tue 04-04 (1st), Wed 04-05 清明 (holiday), Thu 04-06 (2nd).
    sent = datetime(2023, 4, 3, 9, 0, 2, tzinfo=SH)
    assert reminder_at(sent, time(9), SH) == datetime(2023, 4, 6, 9, 0, tzinfo=SH)


def test_late_evening_counts_by_the_bureau_s_own_day() -> None:
    # 2023-04-03 23:30 in Shanghai is still Monday there (15:30 UTC): Thursday 04-06 again.
    sent = datetime(2023, 4, 3, 15, 30, tzinfo=ZoneInfo("UTC"))
    assert reminder_at(sent, time(9), SH) == datetime(2023, 4, 6, 9, 0, tzinfo=SH)
