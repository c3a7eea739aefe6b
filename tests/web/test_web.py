"""The web server in-process on a real database: the webhook's secret, size cap and
store-before-answer, and /healthz."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.intake import Intake, Unsaved
from config import Settings
from ledger.clock import Clock
from models import InboxUpdate
from models.db import make_session_factory
from services.runtime import Runtime
from web.app import MAX_BODY, WebDeps, build_web_app
from web.webhook import SECRET_HEADER

SECRET = "right-secret_123"
HOOK = "/telegram/hook"


def update(update_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1680487200,
            "chat": {"id": 7, "type": "private"},
            "from": {"id": 7, "is_bot": False, "first_name": "王"},
            "text": "/help",
        },
    }


class World:
    def __init__(self, runtime: Runtime, client: TestClient, beats: list[float | None]) -> None:
        self.runtime, self.client, self.beats = runtime, client, beats
        self.wakes = 0

    async def stored(self) -> list[int]:
        async with self.runtime.session() as session:
            return list((await session.scalars(select(InboxUpdate.update_id))).all())


@pytest.fixture
async def world(engine: AsyncEngine, db_url: str) -> AsyncIterator[World]:
    settings = Settings(
        database_url=db_url,
        telegram_token="123456:test-token",
        webhook_url=f"https://bot.example{HOOK}",
        webhook_secret=SECRET,
    )
    runtime = Runtime(settings, engine, make_session_factory(engine), Clock())
    beats: list[float | None] = [time.monotonic()]
    unsaved = Unsaved(None, "zh")  # type: ignore[arg-type]  (only used when the database fails)
    holder: list[World] = []
    intake = Intake(runtime, unsaved, lambda: setattr(holder[0], "wakes", holder[0].wakes + 1))
    app = build_web_app(WebDeps(runtime, lambda: beats[0], intake))
    async with TestClient(TestServer(app)) as client:
        holder.append(World(runtime, client, beats))
        yield holder[0]


async def test_right_secret_stores_then_answers_and_a_repeat_is_harmless(world: World) -> None:
    response = await world.client.post(HOOK, json=update(1), headers={SECRET_HEADER: SECRET})
    assert response.status == 200
    assert await world.stored() == [1] and world.wakes == 1
    again = await world.client.post(HOOK, json=update(1), headers={SECRET_HEADER: SECRET})
    assert again.status == 200 and await world.stored() == [1]


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}])
async def test_wrong_or_missing_secret_is_refused_and_nothing_stored(
    world: World, headers: dict[str, str]
) -> None:
    response = await world.client.post(HOOK, json=update(2), headers=headers)
    assert response.status == 403
    assert await world.stored() == [] and world.wakes == 0


async def _raw_request(world: World, secret: str, declared: int) -> bytes:
    """Send only the headers of a POST announcing `declared` bytes; return the first line of
    the answer (the server must answer without waiting for a body that never comes)."""
    server = world.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        (
            f"POST {HOOK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"{SECRET_HEADER}: {secret}\r\nContent-Length: {declared}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.readline(), 5)
    finally:
        writer.close()


async def test_the_secret_is_checked_before_the_body_is_read(world: World) -> None:
    status_line = await _raw_request(world, "wrong", declared=90 * 1024 * 1024)
    assert status_line.startswith(b"HTTP/1.1 403")


async def test_bodies_over_the_cap_are_refused_unread(world: World) -> None:
    status_line = await _raw_request(world, SECRET, declared=MAX_BODY + 1)
    assert status_line.startswith(b"HTTP/1.1 413")

    # a chunked body (no length announced) is cut off at the cap as well
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b" " * (MAX_BODY // 2)

    response = await world.client.post(HOOK, data=chunks(), headers={SECRET_HEADER: SECRET})
    assert response.status == 413
    assert await world.stored() == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "7"}', b"\xff\xfe"])
async def test_what_is_not_an_update_is_a_400(world: World, body: bytes) -> None:
    response = await world.client.post(HOOK, data=body, headers={SECRET_HEADER: SECRET})
    assert response.status == 400 and await world.stored() == []


async def test_healthz_ok_with_the_open_inbox_rows(world: World) -> None:
    await world.client.post(HOOK, json=update(3), headers={SECRET_HEADER: SECRET})
    response = await world.client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "scheduler": "ok",
        "mode": "webhook",
        "inbox": {"pending": 1},
    }


@pytest.mark.parametrize(
    ("beat_age", "problem"), [(None, "no heartbeat yet"), (1000.0, "last heartbeat 1000 s ago")]
)
async def test_healthz_503_when_the_scheduler_is_stale(
    world: World, beat_age: float | None, problem: str
) -> None:
    world.beats[0] = None if beat_age is None else time.monotonic() - beat_age
    response = await world.client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "unhealthy" and body["database"] == "ok"
    assert body["scheduler"] == problem


async def test_the_webhook_path_only_takes_posts_and_other_paths_are_404(world: World) -> None:
    assert (await world.client.get(HOOK)).status == 405
    other = await world.client.post("/other", json=update(4), headers={SECRET_HEADER: SECRET})
    assert other.status == 404 and await world.stored() == []
