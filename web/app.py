"""Build the aiohttp application from the runtime, and run it in the bot's event loop.

Every feature is a module with ``register(app, deps)`` listed in FEATURES; a new one (the
Mini App under /app/, the API under /api/v1/, /metrics) adds its module there and reads what
it needs from `WebDeps`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from services.runtime import Runtime

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # Telegram's updates are a few KB; nothing here needs more


class UpdateSink(Protocol):
    """Takes incoming Telegram updates; True once they are stored (then we may say 200)."""

    async def accept(self, updates: Sequence[dict[str, Any]], *, retried: str = "") -> bool: ...


@dataclass(frozen=True)
class WebDeps:
    """What routes may use: the runtime, the scheduler's heartbeat, the update intake."""

    runtime: Runtime
    heartbeat: Callable[[], float | None]  # time.monotonic() of the scheduler's last beat
    updates: UpdateSink | None = None  # set in webhook mode


DEPS = web.AppKey("deps", WebDeps)
Feature = Callable[[web.Application, WebDeps], None]


def features() -> list[Feature]:
    from web import api, health, metrics, webhook

    return [health.register, metrics.register, webhook.register, api.register]


def build_web_app(deps: WebDeps, extra: Sequence[Feature] = ()) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[DEPS] = deps
    for register in (*features(), *extra):
        register(app, deps)
    return app


class WebServerError(RuntimeError):
    """The server could not listen; the message says where and which setting to change."""


class WebServer:
    """An aiohttp runner bound to LEDGERBOT_WEB_LISTEN:LEDGERBOT_WEB_PORT."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app, self.host, self.port = app, host, port
        # No access log: one line per request is a flood of its own, and paths can be secret.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as error:
            await self._runner.cleanup()
            raise WebServerError(
                f"cannot listen on {self.host}:{self.port} ({error.strerror or error}); "
                "set LEDGERBOT_WEB_LISTEN / LEDGERBOT_WEB_PORT"
            ) from error
        log.info("web server listening on http://%s:%s", self.host, self.port)

    async def stop(self) -> None:
        await self._runner.cleanup()
