"""The web server in-process on a real database (both kinds), with the bot's clock set."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from config import Settings
from ledger.clock import Clock
from models.db import make_session_factory, transaction
from services.runtime import Runtime
from tests.webapp.world import ADMIN, BEFORE_DUE, TOKEN, init_data
from web.app import WebDeps, build_web_app


class Api:
    """An HTTP client of the API, as a given user (signed init data) or a token."""

    def __init__(self, client: TestClient, runtime: Runtime) -> None:
        self.client, self.runtime = client, runtime

    def auth(self, who: int | str | None) -> dict[str, str]:
        if who is None:
            return {}
        if isinstance(who, str):
            return {"Authorization": f"Bearer {who}"}
        return {"Authorization": f"tma {init_data(who, at=self.runtime.clock.now())}"}

    async def get(self, path: str, who: int | str | None) -> tuple[int, Any]:
        response = await self.client.get(f"/api/v1/{path}", headers=self.auth(who))
        return response.status, await response.json()

    async def post(self, path: str, who: int | str | None, body: Any) -> tuple[int, Any]:
        response = await self.client.post(f"/api/v1/{path}", headers=self.auth(who), json=body)
        return response.status, await response.json()

    async def run(self, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        async with transaction(self.runtime.session_factory) as session:
            return await work(session)


MakeApi = Callable[..., Awaitable[Api]]


@pytest.fixture
async def make_api(engine: AsyncEngine, db_url: str) -> AsyncIterator[MakeApi]:
    """`await make_api(now)`: the server with the bot's clock starting at `now`."""
    clients: list[TestClient] = []

    async def make(now: datetime = BEFORE_DUE, **overrides: Any) -> Api:
        settings = Settings(
            database_url=db_url, telegram_token=TOKEN, admin_ids=[ADMIN], **overrides
        )
        runtime = Runtime(settings, engine, make_session_factory(engine), Clock(now))
        app = build_web_app(WebDeps(runtime, lambda: time.monotonic()))
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return Api(client, runtime)

    yield make
    for client in clients:
        await client.close()
