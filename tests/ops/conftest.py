"""Operations tests drive the real bot process and CLI, like the end-to-end tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_ID, harness, tg
from tests.e2e.harness import Harness
from tests.telegram_double import ThreadedDouble

__all__ = ["ADMIN_ID", "harness", "sqlite_harness", "tg"]


@pytest.fixture
def sqlite_harness(tg: ThreadedDouble, sqlite_template: Path, tmp_path: Path) -> Iterator[Harness]:
    """The harness on a migrated SQLite file, for tests about one database kind only."""
    target = tmp_path / "ledgerbot.db"
    shutil.copy(sqlite_template, target)
    world = Harness(tg, f"sqlite+aiosqlite:///{target}", tmp_path, admin_ids=[ADMIN_ID])
    yield world
    world.bot.kill()
