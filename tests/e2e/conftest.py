"""End-to-end fixtures: a Telegram double in a thread, a migrated database, the bot process.

A test fails at teardown if the double answered any 4xx the test did not declare with
`Harness.expect_error` (or if a request would not pass aiogram's models).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import Harness
from tests.telegram_double import TelegramDouble, ThreadedDouble

ADMIN_ID = 900_000_001


@pytest.fixture
def tg() -> Iterator[ThreadedDouble]:
    double = TelegramDouble.start_in_thread()
    yield double
    problems = double.problems()
    double.stop()
    assert problems == [], "Telegram would have rejected requests:\n" + "\n".join(problems)


@pytest.fixture
def harness(tg: ThreadedDouble, db_url: str, tmp_path: Path) -> Iterator[Harness]:
    world = Harness(tg, db_url, tmp_path, admin_ids=[ADMIN_ID])
    yield world
    world.bot.kill()
