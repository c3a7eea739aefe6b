"""催办: only about what is missing, at most once per day in the bureau's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from ledger.urging import urge_day, urge_refusal

TZ = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2023, 4, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_the_day_is_the_bureaus() -> None:
    # 23:30 UTC on Sunday the 9th is 07:30 on Monday the 10th in Shanghai.
    assert urge_day(datetime(2023, 4, 9, 23, 30, tzinfo=UTC), TZ) == date(2023, 4, 10)


def test_urge_refusals() -> None:
    def refusal(missing: int = 2, reachable: int = 1, last: datetime | None = None) -> str | None:
        return urge_refusal(
            missing=missing, reachable=reachable, last_sent_at=last, now=MONDAY_10, tz=TZ
        )

    assert refusal() is None
    assert refusal(missing=0) == "nothing_missing"
    assert refusal(reachable=0) == "nobody_to_urge"
    # 08:00 Monday in Shanghai (00:00 UTC): the same day.
    assert refusal(last=datetime(2023, 4, 10, 0, 0, tzinfo=UTC)) == "already_urged"
    # 23:00 Sunday in Shanghai (15:00 UTC Sunday): the day before, so Monday may urge again.
    assert refusal(last=datetime(2023, 4, 9, 15, 0, tzinfo=UTC)) is None
