"""A full database during `/report`s, through the real bot process (SQLite: the database
itself answers SQLITE_FULL, via `PRAGMA max_page_count`): every update is either stored or
retried once space returns, none is silently dropped, each sender is told once per update, the
log says why once per update, polling does not confirm and the webhook answers 5xx."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from models.db import sqlite_path
from tests.campaigns.crash import create_users
from tests.e2e.harness import Harness
from tests.e2e.seed import seed_fanout
from tests.e2e.test_intake import FAKE_NOW, entries, wait_for

pytestmark = pytest.mark.e2e
SHIM = Path(__file__).with_name("storage_fault")
UNSAVED = "系统暂时无法保存，请稍后再试"
SENDERS, REPORTS = 6, 18


def fill_free_pages(db: Path) -> None:
    """Use up the file's free pages (with the limit, it cannot grow): what remains is the
    room left inside half-full pages."""
    connection = sqlite3.connect(db, timeout=30)
    try:
        connection.execute("PRAGMA max_page_count = 1")  # clamps to the current size
        try:
            connection.execute("CREATE TABLE ballast (data BLOB)")
            connection.commit()
        except sqlite3.OperationalError as error:  # not even one free page
            assert "full" in str(error)
            return
        while True:
            try:
                connection.execute("INSERT INTO ballast VALUES (zeroblob(3000))")
                connection.commit()
            except sqlite3.OperationalError as error:
                assert "full" in str(error)
                connection.rollback()
                return
    finally:
        connection.close()


@pytest.mark.parametrize("db_kind", ["sqlite"])
@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_full_database_during_reports(harness: Harness, mode: str, tmp_path: Path) -> None:
    users = seed_fanout(harness.db_url, units=SENDERS)
    create_users(harness, users)
    limit_file = tmp_path / "page-limit"
    limit_file.write_text("0")
    harness.extra_env.update(
        PYTHONPATH=os.pathsep.join([str(SHIM), harness.env()["PYTHONPATH"]]),
        LEDGERBOT_TEST_PAGE_LIMIT_FILE=str(limit_file),
    )
    if mode == "webhook":
        harness.use_webhook()
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    [first] = harness.say(users[0], "/report 1 序时推进 满盘之前")
    assert "已提交" in first["text"]

    limit_file.write_text("1")  # the database may not grow any more …
    db = sqlite_path(harness.db_url)
    assert db is not None
    fill_free_pages(db)  # … and has no free pages left
    sent: dict[int, tuple[int, str]] = {}  # update_id -> (user, text)
    for n in range(REPORTS):
        user = users[n % SENDERS]
        text = f"满盘期间第{n}条"
        update = harness.control.send_message(user, f"/report {n % SENDERS + 1} 序时推进 {text}")
        sent[update["update_id"]] = (user, text)
    told = wait_for(
        lambda: sum(
            UNSAVED in (m.get("text") or "") for u in users for m in harness.bot_messages(u)
        ),
        60,
        "a user being told the bot cannot save",
        harness,
    )
    assert told >= 1
    time.sleep(3)  # the bot keeps trying while the database is full
    unconfirmed = {u["update_id"] for u in harness.control.pending_updates()}
    if mode == "polling":
        assert unconfirmed, "polling confirmed updates that were never stored"
    else:
        failures = [d for d in harness.control.webhook()["deliveries"] if d["status"] == 503]
        assert failures, "the webhook answered 200 for updates it could not store"
    stored_while_full = entries(harness)

    limit_file.write_text("0")  # space returns
    wanted = {text for _, text in sent.values()}
    counts = wait_for(
        lambda: c if wanted <= set(c := entries(harness)) else None,
        120,
        "every report being stored after space returned",
        harness,
    )
    assert {text: counts[text] for text in wanted} == dict.fromkeys(wanted, 1)  # none lost
    assert counts["满盘之前"] == 1
    log = harness.bot.log()
    failed_ids = [
        int(i)
        for line in log.splitlines()
        if " ERROR " in line and "could not save update" in line
        for i in re.findall(r"\d+", line.split("could not save update", 1)[1].split(":", 1)[0])
    ]
    assert "database or disk is full" in log
    assert failed_ids, "the database never refused a write"
    assert len(failed_ids) == len(set(failed_ids)), "an update was logged more than once"
    assert set(failed_ids) <= set(sent)
    notices = Counter(
        u for u in users for m in harness.bot_messages(u) if UNSAVED in (m.get("text") or "")
    )
    expected = Counter(sent[i][0] for i in failed_ids)
    assert notices == expected  # each sender told once per update that failed, no more
    harness.wait_drained()  # confirmations are outbox rows, committed with their entries
    confirmations = Counter(
        u for u in users for m in harness.bot_messages(u) if "已提交" in (m.get("text") or "")
    )
    assert sum(confirmations.values()) == REPORTS + 1
    assert unconfirmed or mode == "webhook"
    print(
        f"\n{mode}: {REPORTS} reports while full, {len(stored_while_full) - 1} stored while "
        f"full, {len(failed_ids)} refused by the database and told, all {REPORTS} stored once "
        "after space returned"
    )
