"""Loaded into the bot process by the full-database test only (tests/e2e/test_full_database.py
puts this folder first on PYTHONPATH): every SQLite transaction applies the page limit written
in the file named by LEDGERBOT_TEST_PAGE_LIMIT_FILE, so the real database answers
"database or disk is full" (SQLITE_FULL) until the test gives the space back. `PRAGMA
max_page_count` is per connection, so it cannot be set from outside the process."""

import os

_LIMIT_FILE = os.environ.get("LEDGERBOT_TEST_PAGE_LIMIT_FILE")
_NO_LIMIT = 2_147_483_646

if _LIMIT_FILE:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "begin")
    def _apply_page_limit(connection):  # type: ignore[no-untyped-def]
        if connection.dialect.name != "sqlite":
            return
        try:
            with open(_LIMIT_FILE, encoding="ascii") as file:
                limit = int(file.read().strip() or 0)
        except (OSError, ValueError):
            limit = 0
        connection.exec_driver_sql(f"PRAGMA max_page_count = {limit or _NO_LIMIT}")
