"""What the double counts: requests per method, statuses, per-chat send times, faults."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


class Stats:
    """Request counts per method, status counts, 429s, per-chat send timestamps."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.sends: defaultdict[int, list[float]] = defaultdict(list)
        self.faults_fired = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "too_many_requests": self.statuses[429],
            "sends": {str(k): v for k, v in self.sends.items()},
            "faults_fired": self.faults_fired,
        }
