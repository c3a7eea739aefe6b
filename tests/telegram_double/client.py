"""Control-API clients (httpx): :class:`DoubleClient` (sync) and :class:`AsyncDoubleClient`.

Both expose the same methods; the async one returns awaitables. ``url`` is the double's root
URL (``TelegramDouble.url``), e.g. ``http://127.0.0.1:8081``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from .client_calls import Post, _Calls

T = TypeVar("T")


class DoubleError(RuntimeError):
    """The control API refused a request."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(f"{status}: {error}")
        self.status, self.error = status, error


def _unwrap(response: httpx.Response) -> Any:
    body = response.json()
    if not body.get("ok"):
        raise DoubleError(response.status_code, body.get("error", response.text))
    return body["result"]


class DoubleClient(_Calls[Any]):
    """Synchronous control client."""

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url.rstrip("/") + "/_control")

    def _do(
        self, verb: str, path: str, body: Any = None, http_timeout: float = 30.0, post: Post = None
    ) -> Any:
        result = _unwrap(self._http.request(verb, path, json=body, timeout=http_timeout))
        return post(result) if post else result

    def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Re-evaluate ``predicate`` whenever the double's state changes, until truthy."""
        deadline = time.monotonic() + timeout
        version = self.version()
        while True:
            result = predicate()
            remaining = deadline - time.monotonic()
            if result or remaining <= 0:
                if not result:
                    raise TimeoutError("predicate still false")
                return result
            version = self.changes(version, remaining)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DoubleClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncDoubleClient(_Calls[Awaitable[Any]]):
    """Asynchronous control client (every call returns an awaitable)."""

    def __init__(self, url: str) -> None:
        self._http = httpx.AsyncClient(base_url=url.rstrip("/") + "/_control")

    async def _do(
        self, verb: str, path: str, body: Any = None, http_timeout: float = 30.0, post: Post = None
    ) -> Any:
        response = await self._http.request(verb, path, json=body, timeout=http_timeout)
        result = _unwrap(response)
        return post(result) if post else result

    async def wait_until(
        self,
        predicate: Callable[[], Awaitable[T]],
        timeout: float = 5.0,  # noqa: ASYNC109 (a deadline for the predicate, as in the sync one)
    ) -> T:
        """Re-evaluate the async ``predicate`` whenever the state changes, until truthy."""
        deadline = time.monotonic() + timeout
        version = await self.version()
        while True:
            result = await predicate()
            remaining = deadline - time.monotonic()
            if result or remaining <= 0:
                if not result:
                    raise TimeoutError("predicate still false")
                return result
            version = await self.changes(version, remaining)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncDoubleClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
