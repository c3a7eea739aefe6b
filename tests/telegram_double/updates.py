"""The bot's update queue: getUpdates long polling semantics and change notification."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .errors import ApiError

DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class Notifier:
    """A version counter that coroutines can wait on (no sleep loops)."""

    def __init__(self, parent: Notifier | None = None) -> None:
        self.version = 0
        self.closed = False
        self.parent = parent
        self._event: asyncio.Event | None = None

    def bump(self) -> None:
        if self.parent is not None:
            self.parent.bump()
        self.version += 1
        if self._event is not None:
            self._event.set()
            self._event = None

    def close(self) -> None:
        """Release every waiter now and from now on (server shutdown)."""
        self.closed = True
        self.bump()

    async def wait(self, since: int, within: float) -> int:
        """Wait until ``version > since`` or ``within`` seconds pass; return the version."""
        deadline = time.monotonic() + within
        while self.version <= since and not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if self._event is None:
                self._event = asyncio.Event()
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except TimeoutError:
                break
        return self.version


class _Poll:
    terminated = False


class UpdateQueue:
    """Unconfirmed updates, in update_id order."""

    def __init__(self, first_update_id: int = 100_000_001, parent: Notifier | None = None) -> None:
        self.pending: list[dict[str, Any]] = []
        self.next_id = first_update_id
        self.allowed: list[str] | None = None
        self.changed = Notifier(parent)
        self.webhook_active = False
        self._active_poll: _Poll | None = None

    @property
    def polling(self) -> bool:
        """A getUpdates call is waiting."""
        return self._active_poll is not None

    def update_type(self, update: dict[str, Any]) -> str:
        return next(k for k in update if k != "update_id")

    def is_allowed(self, kind: str) -> bool:
        if not self.allowed:
            return kind not in DEFAULT_EXCLUDED
        return kind in self.allowed

    def add(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue ``{"update_id": n, kind: payload}`` unless allowed_updates filters it out."""
        if not self.is_allowed(kind):
            return None
        update = {"update_id": self.next_id, kind: payload}
        self.next_id += 1
        self.pending.append(update)
        self.changed.bump()
        return update

    def add_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a caller-built update, assigning update_id when missing."""
        update = dict(update)
        update.setdefault("update_id", self.next_id)
        self.next_id = max(self.next_id, update["update_id"] + 1)
        self.pending.append(update)
        self.changed.bump()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset``."""
        if offset < 0:
            self.pending = self.pending[offset:]
        elif offset:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def remove(self, update: dict[str, Any]) -> None:
        if update in self.pending:
            self.pending.remove(update)
            self.changed.bump()

    def drop_all(self) -> None:
        self.pending.clear()
        self.changed.bump()

    async def get_updates(
        self, offset: int, limit: int, poll_seconds: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """getUpdates: confirm below offset, return up to ``limit``, long-poll up to timeout."""
        if self.webhook_active:
            raise ApiError(409, WEBHOOK_CONFLICT)
        if allowed is not None:
            self.allowed = allowed
        self.confirm(offset)
        limit = min(max(limit, 1), 100)
        poll = _Poll()
        if self._active_poll is not None:
            self._active_poll.terminated = True
        self._active_poll = poll
        self.changed.bump()
        deadline = time.monotonic() + max(poll_seconds, 0)
        try:
            while True:
                if poll.terminated:
                    raise ApiError(409, POLL_CONFLICT)
                if self.webhook_active:
                    raise ApiError(409, WEBHOOK_CONFLICT)
                if self.pending or self.changed.closed:
                    return [dict(u) for u in self.pending[:limit]]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                await self.changed.wait(self.changed.version, remaining)
        finally:
            if self._active_poll is poll:
                self._active_poll = None
