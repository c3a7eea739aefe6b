"""GET /healthz: 200 {"status": "ok", …} when the database answers and the scheduler's
heartbeat is fresh; 503 naming what is unhealthy otherwise."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from models.db import sqlite_path
from services import inbox
from services.runtime import Runtime
from web.app import DEPS, WebDeps

DATABASE_TIMEOUT = 2.0  # seconds: a database slower than this is not answering
HEARTBEAT_STALE = 180.0  # the scheduler beats every 60 s


def register(app: web.Application, deps: WebDeps) -> None:
    app.router.add_get("/healthz", healthz)


async def healthz(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    database, counts = await _database(deps.runtime)
    scheduler = _scheduler(deps.heartbeat())
    problems = {
        name: why for name, why in (("database", database), ("scheduler", scheduler)) if why
    }
    body: dict[str, Any] = {
        "status": "unhealthy" if problems else "ok",
        "database": database or "ok",
        "scheduler": scheduler or "ok",
        "mode": "webhook" if deps.runtime.settings.webhook_url else "polling",
    }
    if counts is not None:
        body["inbox"] = counts
    return web.json_response(body, status=503 if problems else 200)


async def _database(runtime: Runtime) -> tuple[str | None, dict[str, int] | None]:
    """None and the inbox's open rows when the database answers, else why it does not."""
    path = sqlite_path(runtime.settings.database_url)
    if path is not None and not path.exists():
        return f"the database file {path} is missing", None
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), runtime.session() as session:
            counts = await inbox.counts_by_state(session)
    except TimeoutError:
        return f"no answer within {DATABASE_TIMEOUT:.0f} s", None
    except Exception as error:
        return inbox.short_error(error), None
    return None, {state.value: n for state, n in counts.items() if state.value != "done"}


def _scheduler(last_beat: float | None) -> str | None:
    if last_beat is None:
        return "no heartbeat yet"
    age = time.monotonic() - last_beat
    return f"last heartbeat {age:.0f} s ago" if age > HEARTBEAT_STALE else None
