"""3,000 wrong-secret requests at 50 concurrent connections (and six 90 MB bodies) against
the real bot in webhook mode, while real users keep being answered: every forged request is
refused, nothing is stored, every real update is answered, and RSS stays flat. Latency and
RSS figures are `bench/bench_web.py`'s (no timing is asserted here)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from tests.e2e.flood import REFUSED_UNREAD, flood, rss_mib
from tests.e2e.harness import Harness
from tests.e2e.test_intake import FAKE_NOW, inbox_rows

pytestmark = pytest.mark.e2e
RSS_GROWTH_BOUND_MIB = 60.0  # generous: before, one 90 MB body took RSS from 157 to 343 MB


def test_wrong_secret_flood_while_real_updates_are_answered(harness: Harness) -> None:
    users = [harness.user(f"用户{n}") for n in range(3)]
    url = harness.use_webhook()
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    for user in users:  # warm up every path a real update takes
        harness.say(user, "/help")
    assert harness.bot.process is not None
    pid = harness.bot.process.pid
    rss_before = rss_mib(pid)
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # peak (VmHWM) starts from here

    flooding = threading.Event()
    answered, answered_during = [0], [0]

    def real_traffic() -> None:
        while flooding.is_set():
            for user in users:
                [reply] = harness.say(user, "/help", timeout=60)
                assert "/start" in reply["text"]
                answered[0] += 1
                answered_during[0] += flooding.is_set()

    flooding.set()
    talker = threading.Thread(target=real_traffic)
    talker.start()
    try:
        result = asyncio.run(
            flood(url, requests=3000, concurrency=50, huge=6, huge_mb=90, chat_id=users[0])
        )
    finally:
        flooding.clear()
        talker.join(120)
    assert not talker.is_alive()
    peak = rss_mib(pid, "VmHWM")

    refused = result.statuses[403] + result.statuses[REFUSED_UNREAD]
    assert refused == 3006 and result.statuses[403] >= 3000, result.statuses
    assert answered_during[0] >= 1, "no real update was answered during the flood"
    rows = inbox_rows(harness)
    assert all(row.update_id < 800_000_000 for row in rows)  # no forged update stored
    assert len(rows) == len(users) + answered[0]  # and every real one was
    assert harness.bot.process.poll() is None
    print(
        f"\nflood: {result.statuses[403]} × 403, {result.statuses[REFUSED_UNREAD]} cut off, "
        f"{result.seconds:.1f} s; {answered[0]} real /help answered ({answered_during[0]} during "
        f"the flood); RSS {rss_before:.0f} MiB before, peak {peak:.0f} MiB during"
    )
    assert peak - rss_before < RSS_GROWTH_BOUND_MIB, (rss_before, peak)
