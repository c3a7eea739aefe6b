"""Fault injection: make chosen Bot API calls fail the way Telegram (or the network) can."""

from __future__ import annotations

import itertools
import random
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = frozenset(
    {
        "429",  # Too Many Requests: retry after N
        "500",  # Internal Server Error (JSON)
        "502",  # Bad Gateway from the front proxy (HTML body, like nginx)
        "timeout_before",  # hold the request past the client's timeout, never apply it
        "timeout_after",  # apply the call, then hold: the "unknown outcome" case
        "blocked",  # 403 Forbidden: bot was blocked by the user
        "deactivated",  # 403 Forbidden: user is deactivated
        "migrate",  # upgrade the group to a supergroup, answer 400 migrate_to_chat_id
    }
)

_ids = itertools.count(1)


@dataclass
class FaultRule:
    """Fail the next ``count`` matching calls, or a random fraction ``probability``."""

    method: str = "*"  # Bot API method name (case-insensitive) or "*"
    kind: str = "500"
    count: int | None = 1  # None: unlimited (with probability)
    probability: float | None = None
    seed: int | None = None
    chat_id: int | str | None = None
    retry_after: int = 5
    hold: float = 10.0  # seconds to hold a timeout fault
    id: int = field(default_factory=lambda: next(_ids))
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.probability is not None and self.count == 1:
            self.count = None
        self._rng = random.Random(self.seed)

    def matches(self, method: str, chat_id: Any) -> bool:
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        if self.chat_id is not None and str(self.chat_id) != str(chat_id):
            return False
        if self.count is not None and self.fired >= self.count:
            return False
        return self.probability is None or self._rng.random() < self.probability

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Holds rules; ``pick`` returns the first rule that fires for a call."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.log: list[dict[str, Any]] = []

    def add(self, **spec: Any) -> FaultRule:
        rule = FaultRule(**spec)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def applied_unanswered(self) -> dict[int, int]:
        """Per chat, the calls applied but answered too late (``timeout_after``): the only
        faults after which a resend can deliver a message twice."""
        counts: dict[int, int] = {}
        for entry in self.log:
            if entry["kind"] == "timeout_after" and entry["chat_id"] is not None:
                chat = int(entry["chat_id"])
                counts[chat] = counts.get(chat, 0) + 1
        return counts

    def pick(self, method: str, chat_id: Any) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, chat_id):
                rule.fired += 1
                self.log.append(
                    {"rule": rule.id, "kind": rule.kind, "method": method, "chat_id": chat_id}
                )
                return rule
        return None
