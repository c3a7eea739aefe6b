"""Webhook delivery: POST updates to the bot's URL, retrying, in order per chat."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import aiohttp

from .errors import bad_request
from .state import now
from .updates import UpdateQueue

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def chat_key(update: dict[str, Any]) -> Any:
    """The ordering key of an update: its chat, else its sender, else itself."""
    payload = next(v for k, v in update.items() if k != "update_id")
    if not isinstance(payload, dict):
        return ("update", update["update_id"])
    message = payload.get("message") if "data" in payload or "chat_instance" in payload else None
    for source in (payload, message or {}):
        chat = source.get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return ("chat", chat["id"])
    sender = payload.get("from")
    if isinstance(sender, dict):
        return ("chat", sender.get("id"))
    return ("update", update["update_id"])


class WebhookManager:
    """Holds the webhook settings and runs the delivery loop while a URL is set."""

    def __init__(
        self,
        queue: UpdateQueue,
        *,
        allow_http: bool = True,
        retry_initial: float = 0.1,
        retry_max: float = 5.0,
        delivery_timeout: float = 10.0,
    ) -> None:
        self.queue = queue
        self.allow_http = allow_http
        self.retry_initial, self.retry_max = retry_initial, retry_max
        self.delivery_timeout = delivery_timeout
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.allowed_updates: list[str] | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.deliveries: list[dict[str, Any]] = []
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._runner: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def set(self, url: str, secret: str | None, max_connections: int | None) -> bool:
        """Apply setWebhook; return False when nothing changed."""
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        if scheme not in ("https", "http") or (scheme == "http" and not self.allow_http):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not _SECRET.match(secret):
            raise bad_request("secret token contains unallowed characters")
        conns = min(max(max_connections or 40, 1), 100)
        unchanged = (url, secret, conns) == (self.url, self.secret_token, self.max_connections)
        self.url, self.secret_token, self.max_connections = url, secret, conns
        self.queue.webhook_active = True
        self.queue.changed.bump()
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        return not unchanged

    async def delete(self) -> bool:
        """Apply deleteWebhook; return False when no webhook was set."""
        was_set = bool(self.url)
        self.url, self.secret_token = "", None
        self.queue.webhook_active = False
        await self.close()
        return was_set

    def info(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.queue.pending),
        }
        if self.url:
            data["max_connections"] = self.max_connections
            data["ip_address"] = "127.0.0.1"
            if self.queue.allowed:
                data["allowed_updates"] = list(self.queue.allowed)
        if self.last_error_date is not None:
            data["last_error_date"] = self.last_error_date
            data["last_error_message"] = self.last_error_message
        return data

    async def close(self) -> None:
        tasks = [t for t in (self._runner, *self._inflight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._runner = None
        self._inflight.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        # A closed notifier returns at once: without this check the loop would spin forever.
        while self.url and not self.queue.changed.closed:
            version = self.queue.changed.version
            busy = {chat_key(u) for u in self.queue.pending if u["update_id"] in self._inflight}
            for update in list(self.queue.pending):
                key = chat_key(update)
                if update["update_id"] in self._inflight or key in busy:
                    continue
                busy.add(key)  # later updates of this chat wait for this one
                if len(self._inflight) >= self.max_connections:
                    break
                task = asyncio.create_task(self._deliver(update))
                self._inflight[update["update_id"]] = task
            await self.queue.changed.wait(version, 3600)

    async def _post(self, update: dict[str, Any]) -> str | None:
        """One delivery attempt; None on success, else Telegram's last_error_message."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = (
            {"X-Telegram-Bot-Api-Secret-Token": self.secret_token} if self.secret_token else {}
        )
        started = time.monotonic()
        try:
            async with self._session.post(
                self.url,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.delivery_timeout),
            ) as resp:
                await resp.read()
                error = (
                    None
                    if 200 <= resp.status < 300
                    else (f"Wrong response from the webhook: {resp.status} {resp.reason}")
                )
                status: int | None = resp.status
        except TimeoutError:
            error, status = "Read timeout expired", None
        except aiohttp.ClientError as exc:
            error, status = f"Connection error: {exc.__class__.__name__}", None
        self.deliveries.append(
            {
                "update_id": update["update_id"],
                "status": status,
                "error": error,
                "at": time.time(),
                "duration": time.monotonic() - started,
            }
        )
        return error

    async def _deliver(self, update: dict[str, Any]) -> None:
        delay = self.retry_initial
        try:
            while self.url and update in self.queue.pending:
                error = await self._post(update)
                if error is None:
                    self.queue.remove(update)
                    return
                self.last_error_date, self.last_error_message = now(), error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max)
        finally:
            self._inflight.pop(update["update_id"], None)
            self.queue.changed.bump()
