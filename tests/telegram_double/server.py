"""The HTTP server: Bot API routes, file downloads, and the double's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import control_read, methods_bot, methods_msg  # noqa: F401  (register routes/methods)
from .control import add_control_routes
from .errors import ApiError, forbidden, migrated, too_many_requests
from .faults import FaultInjector, FaultRule
from .limits import FloodConfig, FloodLimiter
from .methods import METHODS, Ctx, Params, Result
from .rejections import ExpectedError, Rejection, Rejections
from .state import State, User
from .stats import Stats
from .validate import Upload, check, read_params
from .webhook import WebhookManager

if TYPE_CHECKING:
    from .client import AsyncDoubleClient
    from .thread import ThreadedDouble

DEFAULT_TOKEN = "123456789:TEST-double-token_0123456789abcdef"
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_REJECTION = web.ResponseKey("rejection", Rejection)
_BAD_GATEWAY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class TelegramDouble:
    """A Bot API server for one bot token, plus the ``/_control`` API for tests."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        flood_limits: bool = False,
        flood: FloodConfig | None = None,
        bot_username: str = "ledger_test_bot",
        bot_name: str = "LedgerBot",
        webhook_retry: float = 0.1,
        allow_http_webhook: bool = True,
    ) -> None:
        self.host, self.port, self.token = host, port, token
        self.bot_name, self.bot_username = bot_name, bot_username
        self.webhook_retry, self.allow_http_webhook = webhook_retry, allow_http_webhook
        self.limiter = FloodLimiter(flood or FloodConfig())
        if flood_limits:
            self.limiter.config.enabled = True
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None
        self.rejections = Rejections()
        # Called on the double's loop right after a send was applied, before it is answered
        # (a campaign SIGKILLs the bot from here: the kill lands in the middle of the work).
        self.send_hooks: list[Callable[[str, dict[str, Any]], None]] = []
        self.sends_in_flight = 0  # send* requests being handled (a killed bot's may still be)
        self.sends_idle = asyncio.Event()  # set while sends_in_flight is 0
        self.sends_idle.set()
        self._build()

    def _build(self) -> None:
        bot_id = int(self.token.split(":", 1)[0]) if _TOKEN.match(self.token) else 123456789
        bot = User(id=bot_id, first_name=self.bot_name, username=self.bot_username, is_bot=True)
        self.state = State(bot)
        self.faults = FaultInjector()
        self.stats = Stats()
        self.validation_failures: list[dict[str, Any]] = []
        self.webhook = WebhookManager(
            self.state.updates, allow_http=self.allow_http_webhook, retry_initial=self.webhook_retry
        )
        self.ctx = Ctx(self.state, self.limiter, self.webhook)
        self.limiter.reset()

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self) -> TelegramDouble:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        add_control_routes(app, self)
        app.router.add_route("*", "/bot{token}/{method}", self._bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._stopping = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        self.state.updates.changed.close()
        self.state.changed.close()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def reset(self) -> None:
        """Forget all users, chats, messages, updates, faults, stats and the webhook."""
        await self.webhook.close()
        self.state.updates.changed.close()
        self.state.changed.close()
        self.rejections.seen.clear()
        self._build()

    async def __aenter__(self) -> TelegramDouble:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL (control API at ``url + "/_control"``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for LEDGERBOT_TELEGRAM_BASE_URL / PTB ``base_url``: ``http://host:port/bot``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def client(self) -> AsyncDoubleClient:
        from .client import AsyncDoubleClient

        return AsyncDoubleClient(self.url)

    @classmethod
    def start_in_thread(cls, **kwargs: Any) -> ThreadedDouble:
        """Run a new double on its own event loop in a daemon thread."""
        from .thread import ThreadedDouble

        return ThreadedDouble(cls(**kwargs))

    # --- what a test must look at ------------------------------------------------------------
    def expect_error(
        self, method: str, description: str, times: int | None = None
    ) -> ExpectedError:
        """Declare a 4xx the test provokes on purpose (method or "*", a description part;
        exactly `times` times, or at least once)."""
        return self.rejections.expect(method, description, times)

    def problems(self) -> list[str]:
        """Undeclared 4xx answers, declared errors that never came, invalid requests."""
        return self.rejections.problems(self.validation_failures)

    # --- Bot API ----------------------------------------------------------------------------
    def _error(
        self, method: str, exc: ApiError, chat_id: Any = None, injected: bool = False
    ) -> web.Response:
        response = web.json_response(exc.to_json(), status=exc.code)
        rejection = self.rejections.record(method, exc.code, exc.description, chat_id, injected)
        if rejection is not None:
            response[_REJECTION] = rejection
        return response

    async def _hold(self, seconds: float) -> None:
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _bot_api(self, request: web.Request) -> web.StreamResponse:
        sending = request.match_info["method"].lower().startswith("send")
        self.sends_in_flight += sending
        if sending:
            self.sends_idle.clear()
        try:
            response = await self._answer(request)
        finally:
            self.sends_in_flight -= sending
            if not self.sends_in_flight:
                self.sends_idle.set()
        rejection = response.get(_REJECTION)
        if rejection is not None and (request.transport is None or request.transport.is_closing()):
            rejection.unread = True  # the client hung up first (e.g. a poll it abandoned)
        return response

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        if not _TOKEN.match(token):
            return self._error(method, ApiError(404, "Not Found"))
        if token != self.token:
            return self._error(method, ApiError(401, "Unauthorized"))
        entry = METHODS.get(method.lower())
        if entry is None:
            self.stats.requests[method] += 1
            self.stats.statuses[404] += 1
            return self._error(method, ApiError(404, "Not Found"))
        name, handler = entry
        self.stats.requests[name] += 1
        try:
            params = await read_params(request, name)
        except ApiError as exc:
            return self._finish(name, exc)
        problem = check(name, params)
        if problem is not None:
            shown = {k: repr(v) if isinstance(v, Upload) else v for k, v in params.items()}
            self.validation_failures.append({"method": name, "params": shown, "error": problem})
        rule = self.faults.pick(name, params.get("chat_id"))
        if rule is not None:
            self.stats.faults_fired += 1
            return await self._fault(rule, name, handler, params)
        return self._finish(name, await self._call(handler, params), params)

    async def _call(self, handler: Any, params: dict[str, Any]) -> Any:
        try:
            return await handler(self.ctx, Params(params))
        except ApiError as exc:
            return exc

    def _finish(
        self,
        name: str,
        outcome: Any,
        params: dict[str, Any] | None = None,
        injected: bool = False,
    ) -> web.Response:
        if isinstance(outcome, ApiError):
            self.stats.statuses[outcome.code] += 1
            return self._error(name, outcome, (params or {}).get("chat_id"), injected)
        self.stats.statuses[200] += 1
        body: dict[str, Any] = {"ok": True}
        if isinstance(outcome, Result):
            body["result"] = outcome.value
            if outcome.description:
                body["description"] = outcome.description
        else:
            body["result"] = outcome
        sent_to = outcome.get("chat", {}).get("id") if isinstance(outcome, dict) else None
        if name.startswith("send") and name != "sendChatAction" and sent_to is not None:
            self.stats.sends[sent_to].append(time.time())
            for hook in list(self.send_hooks):
                hook(name, outcome)
        return web.json_response(body)

    async def _fault(
        self, rule: FaultRule, name: str, handler: Any, params: dict[str, Any]
    ) -> web.StreamResponse:
        kind = rule.kind
        if kind == "502":
            self.stats.statuses[502] += 1
            return web.Response(status=502, text=_BAD_GATEWAY, content_type="text/html")
        if kind == "timeout_before":
            await self._hold(rule.hold)
            return self._finish(name, ApiError(500, "Internal Server Error"))
        if kind == "timeout_after":
            outcome = await self._call(handler, params)
            await self._hold(rule.hold)
            return self._finish(name, outcome, params)
        errors = {
            "429": lambda: too_many_requests(rule.retry_after),
            "500": lambda: ApiError(500, "Internal Server Error"),
            "blocked": lambda: forbidden("bot was blocked by the user"),
            "deactivated": lambda: forbidden("user is deactivated"),
        }
        if kind in errors:
            return self._finish(name, errors[kind](), params, injected=True)
        try:  # migrate
            chat = self.state.chat(params.get("chat_id", ""))
            new = self.state.migrate(chat)
        except ApiError as exc:
            return self._finish(name, exc, params)
        return self._finish(name, migrated(new.id), params, injected=True)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        stored = self.state.file_by_path(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return self._error("file download", ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type="application/octet-stream")
