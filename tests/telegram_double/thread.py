"""Serving a :class:`TelegramDouble` from a background thread with its own event loop."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client import DoubleClient
    from .server import TelegramDouble


class ThreadedDouble:
    """A :class:`TelegramDouble` served from a background thread's event loop."""

    def __init__(self, double: TelegramDouble) -> None:
        self.double = double
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            try:
                self.loop.run_until_complete(double.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self.loop.run_forever()
            self.loop.close()

        self.thread = threading.Thread(target=run, name="telegram-double", daemon=True)
        self.thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]

    @property
    def url(self) -> str:
        return self.double.url

    @property
    def base_url(self) -> str:
        return self.double.base_url

    @property
    def token(self) -> str:
        return self.double.token

    def expect_error(self, method: str, description: str, times: int | None = None) -> None:
        """Declare a 4xx the test provokes on purpose (see `rejections.Rejections`)."""
        self.double.expect_error(method, description, times)

    def problems(self) -> list[str]:
        """Read on the double's own loop: undeclared 4xx, unmet declarations, invalid calls."""

        async def read() -> list[str]:
            return self.double.problems()

        return asyncio.run_coroutine_threadsafe(read(), self.loop).result(10)

    def wait_sends_done(self, timeout: float = 30.0) -> None:
        """Wait until no send request is being handled (e.g. those of a bot just killed)."""

        async def settled() -> None:
            await self.double.sends_idle.wait()

        asyncio.run_coroutine_threadsafe(settled(), self.loop).result(timeout)

    def client(self) -> DoubleClient:
        from .client import DoubleClient

        return DoubleClient(self.url)

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self.double.stop(), self.loop)
        future.result(15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(15)

    def __enter__(self) -> ThreadedDouble:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
