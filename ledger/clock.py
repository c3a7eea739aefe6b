"""The bot's clock: real time, or a rehearsal clock that starts at a fixed instant and runs on."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """`now()` in UTC. With `start`, time begins there and advances in real time, so an
    end-to-end test can put the bot a few seconds before 09:00 on a prompt day."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("the clock's start needs a time zone")
        self._start = start.astimezone(UTC) if start is not None else None
        self._origin = time.monotonic()

    @property
    def is_fake(self) -> bool:
        return self._start is not None

    def now(self) -> datetime:
        if self._start is None:
            return datetime.now(UTC)
        return self._start + timedelta(seconds=time.monotonic() - self._origin)

    def offset(self) -> timedelta:
        """How far the clock is from real time (zero when real)."""
        return self.now() - datetime.now(UTC)
