"""Timetable benchmark: a year of scheduled events (prompts, reminders, escalations, milestone
checks, digests) on China's working calendar, computed for distinct rules (no cached
schedules). Goal: 10 ms per year, so the minute tick's catch-up costs nothing.

Run: .venv/bin/python bench/bench_timetable.py
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.timetable import CalendarRules, events_between

GOAL = 0.010
TZ = ZoneInfo("Asia/Shanghai")


def main() -> None:
    start, end = datetime(2024, 1, 1, tzinfo=TZ), datetime(2025, 1, 1, tzinfo=TZ)
    events_between(start, end)  # load the working-day tables once
    best, count = float("inf"), 0
    for yellow in range(5):  # distinct rules: no cached schedules
        began = time.perf_counter()
        count = len(events_between(start, end, CalendarRules(yellow_workdays=yellow)))
        best = min(best, time.perf_counter() - began)
    print(
        f"a year of events ({count}), best of 5: {best * 1000:.2f} ms  goal {GOAL * 1000:.0f} ms"
        f"  ratio {best / GOAL:.2f}"
    )


if __name__ == "__main__":
    main()
