"""Updates in, through the real bot process: the webhook on the one web server, /healthz, and
the inbox (rows left by a crash are handled after a restart; a handler that keeps failing is
retried, parked, and re-run by `ledgerbot inbox retry`)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from ledger.vocab import InboxState
from models import InboxUpdate, ProgressEntry
from models.db import make_engine, make_session_factory, sqlite_path, transaction
from services import inbox
from tests.campaigns.crash import create_users
from tests.e2e.harness import Harness
from tests.e2e.seed import seed_fanout

pytestmark = pytest.mark.e2e
FAKE_NOW = "2023-04-03T11:00:00+08:00"  # collecting 2023-03; nothing scheduled is due
SECRET = "double-webhook-secret"


async def _inbox_rows(url: str) -> list[InboxUpdate]:
    engine = make_engine(url)
    try:
        async with transaction(make_session_factory(engine)) as session:
            return list((await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id))).all())
    finally:
        await engine.dispose()


def inbox_rows(harness: Harness) -> list[InboxUpdate]:
    return asyncio.run(_inbox_rows(harness.db_url))


async def _entries(url: str) -> Counter[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            texts = (await connection.scalars(select(ProgressEntry.progress))).all()
    finally:
        await engine.dispose()
    return Counter(t for t in texts if t)


def entries(harness: Harness) -> Counter[str]:
    return asyncio.run(_entries(harness.db_url))


def wait_for(predicate: Any, timeout: float, what: str, harness: Harness) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen:\n{harness.bot.log()[-3000:]}")
        time.sleep(0.3)


def test_webhook_mode_receives_and_answers(harness: Harness) -> None:
    [user] = seed_fanout(harness.db_url, units=1)
    create_users(harness, [user])
    harness.use_webhook(SECRET)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    info = harness.control.webhook()
    assert info["url"] == harness.extra_env["LEDGERBOT_WEBHOOK_URL"]
    [help_text] = harness.say(user, "/help")
    assert "/report" in help_text["text"]
    [stored] = harness.say(user, "/report 1 序时推进 经由网络钩子")
    assert "已提交" in stored["text"]
    assert entries(harness) == Counter({"经由网络钩子": 1})
    rows = wait_for(
        lambda: [r for r in inbox_rows(harness) if r.state == InboxState.DONE][1:],
        10,
        "marking both updates done",
        harness,
    )
    assert len(rows) == 1 and all(r.chat_id == user for r in inbox_rows(harness))
    deliveries = harness.control.webhook()["deliveries"]
    assert {d["status"] for d in deliveries} == {200}
    listed = harness.cli_json("inbox")
    assert listed["counts"] == {"done": 2}
    assert [r["kind"] for r in listed["rows"]] == ["message", "message"]


def _post(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    try:
        return httpx.post(url, content=body, headers=headers, timeout=10).status_code
    except httpx.TransportError:  # the server may close before a large body is sent
        return -1


def test_wrong_secret_and_oversize_bodies_are_refused_and_nothing_stored(
    harness: Harness,
) -> None:
    [user] = seed_fanout(harness.db_url, units=1)
    create_users(harness, [user])
    url = harness.use_webhook(SECRET)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    forged = (
        '{"update_id": 990001, "message": {"message_id": 1, "date": 1680490800, '
        f'"chat": {{"id": {user}, "type": "private"}}, '
        f'"from": {{"id": {user}, "is_bot": false, "first_name": "x"}}, '
        '"text": "/report 1 序时推进 伪造的"}}'
    ).encode()
    assert _post(url, forged, None) == 403
    assert _post(url, forged, "wrong-secret") == 403
    assert _post(url, forged, SECRET[:-1]) == 403
    padded = forged[:-1] + b', "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert _post(url, padded, SECRET) in (413, -1)  # refused (or cut off) unread
    [reply] = harness.say(user, "/help")  # the bot is fine and still answers
    assert "/report" in reply["text"]
    assert [r.kind for r in inbox_rows(harness)] == ["message"]  # the /help only
    assert 990001 not in [r.update_id for r in inbox_rows(harness)]
    assert entries(harness) == Counter()
    assert len(harness.bot_messages(user)) == 1  # only the /help answer


def test_healthz_ok_then_503_when_the_database_is_gone(harness: Harness) -> None:
    base = harness.serve_web()
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    ok = httpx.get(f"{base}/healthz", timeout=10)
    assert ok.status_code == 200
    assert ok.json()["status"] == "ok" and ok.json()["mode"] == "polling"
    with database_gone(harness.db_url):
        down = wait_for(
            lambda: (r := httpx.get(f"{base}/healthz", timeout=10)).status_code == 503 and r,
            20,
            "/healthz turning 503",
            harness,
        )
        body = down.json()
        assert body["status"] == "unhealthy" and body["database"] != "ok", body
    wait_for(
        lambda: httpx.get(f"{base}/healthz", timeout=10).status_code == 200,
        30,
        "/healthz recovering",
        harness,
    )


def _postgres_admin(url: str, sql: str) -> None:
    import asyncpg

    parsed = make_url(url)

    async def run() -> None:
        admin = parsed.set(drivername="postgresql", database="postgres")
        connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
        try:
            await connection.execute(sql.format(db=parsed.database))
        finally:
            await connection.close()

    asyncio.run(run())


@contextmanager
def database_gone(url: str) -> Iterator[None]:
    """SQLite: the file is moved away. PostgreSQL: the database refuses connections and its
    sessions are ended. Both are put back afterwards."""
    path = sqlite_path(url)
    if path is not None:
        os.replace(path, path.with_suffix(".away"))
        try:
            yield
        finally:
            os.replace(path.with_suffix(".away"), path)
        return
    _postgres_admin(url, 'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false')
    try:
        _postgres_admin(
            url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = '{db}' AND pid <> pg_backend_pid()",
        )
        yield
    finally:
        _postgres_admin(url, 'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')


async def _leave_rows(url: str, raws: list[dict[str, Any]], dead_worker: str, at: str) -> None:
    from datetime import datetime

    moment = datetime.fromisoformat(at)
    engine = make_engine(url)
    try:
        async with transaction(make_session_factory(engine)) as session:
            await inbox.store(session, raws, now=moment)
            await session.execute(  # the first was being handled when its process died
                update(InboxUpdate)
                .where(InboxUpdate.update_id == raws[0]["update_id"])
                .values(state=InboxState.PROCESSING, claimed_by=dead_worker, claimed_at=moment)
            )
    finally:
        await engine.dispose()


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        pid -= 1


def test_a_restart_handles_rows_left_in_the_inbox(harness: Harness) -> None:
    """A previous run stored three updates and confirmed them to Telegram, then died (one was
    being handled). The next run handles all three, each exactly once, at once."""
    users = seed_fanout(harness.db_url, units=3)
    create_users(harness, users)
    for n, user in enumerate(users, start=1):
        harness.control.send_message(user, f"/report {n} 序时推进 重启后处理{n}")
    raws = list(harness.control.pending_updates())
    assert len(raws) == 3
    dead = f"{socket.gethostname()}-{_dead_pid()}"
    asyncio.run(_leave_rows(harness.db_url, raws, dead, FAKE_NOW))
    confirm = f"{harness.tg.base_url}{harness.tg.token}/getUpdates"
    httpx.post(confirm, json={"offset": raws[-1]["update_id"] + 1, "timeout": 0}, timeout=10)
    assert harness.control.pending_updates() == []  # Telegram has forgotten them
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    for n, user in enumerate(users, start=1):
        [reply] = harness.control.wait_for_messages(user, 1, timeout=30)
        assert f"任务 {n}" in reply["text"]
    assert entries(harness) == Counter({f"重启后处理{n}": 1 for n in (1, 2, 3)})
    wait_for(
        lambda: all(r.state == InboxState.DONE for r in inbox_rows(harness)),
        10,
        "all rows done",
        harness,
    )
    assert f"took over 1 update(s) left by {dead}" in harness.bot.log()
    time.sleep(1)
    assert [len(harness.bot_messages(u)) for u in users] == [1, 1, 1]  # nothing twice


def test_a_failing_handler_is_retried_then_parked_and_retry_reruns_it(harness: Harness) -> None:
    user = harness.user("王五")
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    harness.control.add_fault("sendMessage", "500", count=None, probability=1.0, chat_id=user)
    harness.control.send_message(user, "/help")
    failed = wait_for(
        lambda: harness.cli_json("inbox", "--state", "failed")["rows"],
        60,
        "the update being parked",
        harness,
    )
    [row] = failed
    assert row["attempts"] == inbox.MAX_ATTEMPTS
    assert row["last_error"] == "NetworkError: Internal Server Error"
    # one answer tried per attempt, no more
    assert harness.control.stats()["faults_fired"] == inbox.MAX_ATTEMPTS
    assert harness.bot_messages(user) == []
    log = harness.bot.log()
    assert log.count("parked as failed") == 1
    assert log.count("will retry") == inbox.MAX_ATTEMPTS - 1
    harness.control.clear_faults()
    time.sleep(2)
    assert harness.bot_messages(user) == []  # parked rows are not retried by themselves
    result = harness.cli("inbox", "retry", str(row["id"]))
    assert f"update {row['update_id']}" in result.stdout
    [help_text] = harness.control.wait_for_messages(user, 1, timeout=30)
    assert "/start" in help_text["text"]
    wait_for(
        lambda: harness.cli_json("inbox")["counts"].get("done") == 1,
        10,
        "the row being done",
        harness,
    )
    again = harness.cli("inbox", "retry", str(row["id"]), check=False)
    assert again.returncode == 2 and "not failed" in again.stderr
    missing = harness.cli("inbox", "retry", "999999", check=False)
    assert missing.returncode == 2 and "no update with id 999999" in missing.stderr


@pytest.mark.parametrize("db_kind", ["sqlite"])  # the database plays no part
def test_a_busy_port_is_one_clear_line(harness: Harness) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        harness.extra_env.update(LEDGERBOT_WEB_PORT=str(port), LEDGERBOT_WEB_LISTEN="127.0.0.1")
        result = subprocess.run(
            [sys.executable, "-m", "ledgerbot", "run"],
            env=harness.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "LEDGERBOT_WEB_PORT" in result.stderr and "Traceback" not in result.stderr
