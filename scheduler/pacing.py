"""Telegram's flood limits as pure rules: when may chat X next receive a message?

Times are plain floats (seconds on a monotonic clock) passed in by the caller, so the rules
are tested with a fake clock and never sleep. Sends are spaced evenly instead of burst
through a sliding window: a burst of 30 followed by another at t+1 s looks like 31+ per
second to a server that stamps requests a few milliseconds later (the double counts exactly
that way). Sends are paced when they are scheduled, and the bot-wide ceiling is checked
again on the stamps taken as each request leaves (``wire_ready_at``/``wire_take``): between
the two the event loop may delay one send more than the next, which would squeeze more
sends into some second than the pace allowed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class Limits:
    """Flood limits; defaults sit a little under Telegram's documented 30/s, 1/s, 20/min."""

    global_per_second: float = 28.0
    private_per_second: float = 1.0
    group_per_minute: int = 20
    group_window: float = 60.0
    group_slack: float = 1.0  # added to the group window: the server stamps requests later
    global_catch_up: float = 0.5  # in intervals: how much lateness the next send may make up
    global_429_chats: int = 2  # 429s from this many chats within a second mean a global pause
    wire_limit: int = 30  # Telegram's overall ceiling, kept on the stamps taken as requests leave
    wire_margin: float = 0.02  # added to its 1 s window: the server stamps later, with jitter

    def is_group(self, chat_id: int) -> bool:
        """Groups and supergroups have negative ids; private chats positive ones."""
        return chat_id < 0


class Spacing:
    """Evenly spaced events: one per ``interval`` seconds (GCRA, virtual scheduling).

    A send that goes out late (the event loop was busy) may be made up for by the next
    one, up to ``catch_up`` seconds; without that, every millisecond of lateness would be
    lost for good and 28/s would become ~21/s. Any window of T seconds then holds at most
    (T + catch_up) / interval + 1 events.
    """

    def __init__(self, interval: float, catch_up: float = 0.0) -> None:
        self.interval, self.catch_up = interval, catch_up
        self.next_at = float("-inf")

    def ready_at(self) -> float:
        return self.next_at

    def take(self, at: float) -> None:
        self.next_at = max(at - self.catch_up, self.next_at) + self.interval


class SlidingWindow:
    """At most ``limit`` events in any ``period`` seconds (exact, by keeping the stamps)."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.stamps: deque[float] = deque()

    def ready_at(self, now: float) -> float:
        while self.stamps and self.stamps[0] <= now - self.period:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return now
        return self.stamps[-self.limit] + self.period

    def take(self, at: float) -> None:
        self.stamps.append(at)


@dataclass(frozen=True)
class DispatchLimits:
    """Pacing plus the dispatcher's batch, lease, timeout and retry settings."""

    pacing: Limits = field(default_factory=Limits)
    concurrency: int = 32  # the Bot's connection pool must be at least this large
    batch: int = 100  # rows claimed at once: a few seconds of work, well inside the lease
    poll_interval: float = 1.0
    lease: timedelta = timedelta(minutes=2)
    hold: float = 5.0  # a claimed row whose chat must wait longer goes back to the table
    send_timeout: float = 10.0
    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 300.0

    def retry_delay(self, attempt: int, *, jitter: float) -> float:
        """Seconds before retrying a row after its ``attempt``-th failed send."""
        return backoff(attempt, base=self.backoff_base, cap=self.backoff_cap, jitter=jitter)


@dataclass
class _ChatState:
    spacing: Spacing
    window: SlidingWindow | None
    paused_until: float = float("-inf")


@dataclass
class Pacer:
    """Tracks every chat's and the bot's budget; the dispatcher asks before each send."""

    limits: Limits = field(default_factory=Limits)
    _global: Spacing = field(init=False)
    _wire: SlidingWindow = field(init=False)
    _paused_until: float = field(init=False, default=float("-inf"))
    _chats: dict[int, _ChatState] = field(init=False, default_factory=dict)
    _recent_429: dict[int, float] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        interval = 1.0 / self.limits.global_per_second
        self._global = Spacing(interval, interval * self.limits.global_catch_up)
        self._wire = SlidingWindow(self.limits.wire_limit, 1.0 + self.limits.wire_margin)

    def _chat(self, chat_id: int) -> _ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            lim = self.limits
            window = None
            if lim.is_group(chat_id):
                window = SlidingWindow(lim.group_per_minute, lim.group_window + lim.group_slack)
            state = _ChatState(Spacing(1.0 / lim.private_per_second), window)
            self._chats[chat_id] = state
        return state

    def chat_ready_at(self, chat_id: int, now: float) -> float:
        """Earliest time this chat's own limits (and pauses) allow a message."""
        state = self._chat(chat_id)
        ready = max(now, state.spacing.ready_at(), state.paused_until)
        if state.window is not None:
            ready = max(ready, state.window.ready_at(now))
        return ready

    def global_ready_at(self, now: float) -> float:
        """Earliest time the bot-wide rate (and a global pause) allows any message."""
        return max(now, self._global.ready_at(), self._paused_until)

    def ready_at(self, chat_id: int, now: float) -> float:
        return max(self.chat_ready_at(chat_id, now), self.global_ready_at(now))

    def take(self, chat_id: int, at: float) -> None:
        """Record a send to ``chat_id`` at ``at`` (call only when ``ready_at`` ≤ ``at``)."""
        state = self._chat(chat_id)
        state.spacing.take(at)
        if state.window is not None:
            state.window.take(at)
        self._global.take(at)

    def wire_ready_at(self, now: float) -> float:
        """Earliest time a request may leave without breaking the ceiling on leaving stamps."""
        return self._wire.ready_at(now)

    def wire_take(self, at: float) -> None:
        """Record a request leaving at ``at`` (one already paced by ``take``)."""
        self._wire.take(at)

    def took_over(self, at: float | None) -> None:
        """This pacer began spending the bot's budget at ``at`` (it took the dispatch lock):
        what the last holder sent just before still counts in the server's window, so
        nothing goes until that window has passed. ``None``: it never had to take over."""
        if at is not None:
            until = at + 1.0 + self.limits.wire_margin
            self._paused_until = max(self._paused_until, until)

    def retry_after(self, chat_id: int, seconds: float, now: float) -> bool:
        """Honour a 429: pause the chat, and everything when several chats got one at once.

        Returns True when the pause was made global.
        """
        until = now + seconds
        state = self._chat(chat_id)
        state.paused_until = max(state.paused_until, until)
        self._recent_429 = {c: t for c, t in self._recent_429.items() if t > now - 1.0}
        self._recent_429[chat_id] = now
        if len(self._recent_429) >= self.limits.global_429_chats:
            self._paused_until = max(self._paused_until, until)
            return True
        return False

    def soonest(self, chat_ids: Iterable[int], now: float) -> tuple[int | None, float]:
        """The chat among ``chat_ids`` that may receive soonest, and when."""
        best: tuple[int | None, float] = (None, float("inf"))
        for chat_id in chat_ids:
            at = self.ready_at(chat_id, now)
            if at < best[1]:
                best = (chat_id, at)
        return best

    def forget(self, chat_id: int) -> None:
        """Drop a chat's state (after a migration, the old id never receives again)."""
        self._chats.pop(chat_id, None)


def backoff(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Seconds before retry number ``attempt`` (1-based): doubling, capped, with jitter.

    ``jitter`` in [0, 1) picks a point in the upper half of the delay ("equal jitter"), so
    workers that failed together spread out yet none retries sooner than half the delay.
    """
    delay: float = min(cap, base * 2.0 ** max(0, attempt - 1))
    return delay * (0.5 + jitter / 2)
