"""Flood limits as the Bots FAQ describes them (exact numbers are configurable)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass

from .errors import ApiError, too_many_requests


@dataclass
class FloodConfig:
    """About 30 messages/s overall, 1/s per private chat (small bursts), 20/min per group."""

    enabled: bool = False
    global_per_second: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    group_window: float = 60.0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class _Window:
    """Sliding window: at most ``limit`` events per ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.events: deque[float] = deque()

    def wait_time(self, at: float) -> float:
        while self.events and self.events[0] <= at - self.period:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0.0
        return self.events[0] + self.period - at

    def add(self, at: float) -> None:
        self.events.append(at)


class _Bucket:
    """Token bucket: ``rate`` per second with room for ``burst``."""

    def __init__(self, rate: float, burst: int, at: float) -> None:
        self.rate, self.burst = rate, max(burst, 1)
        self.tokens = float(self.burst)
        self.stamp = at

    def wait_time(self, at: float) -> float:
        self.tokens = min(self.burst, self.tokens + max(at - self.stamp, 0.0) * self.rate)
        self.stamp = at
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def add(self, at: float) -> None:
        self.tokens -= 1


class FloodLimiter:
    """Checks a send against the overall, per-private-chat and per-group limits."""

    def __init__(
        self, config: FloodConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or FloodConfig()
        self.clock = clock  # a test may drive the limits on a fake clock
        self.reset()

    def reset(self) -> None:
        cfg = self.config
        self._global = _Window(cfg.global_per_second, 1.0)
        self._private: dict[int, _Bucket] = {}
        self._groups: dict[int, _Window] = {}

    def configure(self, **changes: object) -> FloodConfig:
        for key, value in changes.items():
            if not hasattr(self.config, key):
                raise ValueError(f"unknown flood setting {key!r}")
            current = getattr(self.config, key)
            if isinstance(current, bool):
                value = value in (True, 1, "1", "true", "True")
            setattr(self.config, key, type(current)(value))
        self.reset()
        return self.config

    def check(self, chat_id: int, chat_type: str) -> None:
        """Record a send or raise 429 ``Too Many Requests: retry after N``."""
        if not self.config.enabled:
            return
        cfg = self.config
        at = self.clock()
        limiters: list[_Window | _Bucket] = [self._global]
        if chat_type == "private":
            bucket = self._private.get(chat_id)
            if bucket is None:
                bucket = _Bucket(cfg.private_per_second, cfg.private_burst, at)
                self._private[chat_id] = bucket
            limiters.append(bucket)
        elif chat_type in ("group", "supergroup"):
            window = self._groups.get(chat_id)
            if window is None:
                window = self._groups[chat_id] = _Window(cfg.group_per_minute, cfg.group_window)
            limiters.append(window)
        wait = max(limiter.wait_time(at) for limiter in limiters)
        if wait > 0:
            raise self.error(wait)
        for limiter in limiters:
            limiter.add(at)

    @staticmethod
    def error(wait: float) -> ApiError:
        return too_many_requests(max(1, math.ceil(wait)))
