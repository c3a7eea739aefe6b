"""Every 4xx the double answers, and the errors a test declared it expects.

Telegram rejects a request with a 4xx; a test must fail if the bot sent one it did not mean to.
The double records each such answer (`Rejections.record`); a test that provokes one on
purpose says so with ``expect_error(method, description_substring)``; `problems` lists what
is left: rejections nobody declared, declarations that never happened, and requests that
aiogram's models reject even where the double answered 200. Faults the test injected
(`faults.FaultRule`) are recorded as such and need no declaration: the test asked for them.
Neither does a long poll the bot abandoned (it stops, or is killed) that the double then ends
with 409 when the next poll arrives: nobody reads that answer; every other unread 4xx counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Rejection:
    method: str
    status: int
    description: str
    chat_id: Any = None
    injected: bool = False  # answered by a fault rule the test added
    unread: bool = False  # the client had hung up before the answer was written

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ExpectedError:
    """A 4xx the test provokes on purpose: `method` ("*" for any) and a description part."""

    method: str
    description: str
    times: int | None = None  # exactly this many, or any number (at least one)
    seen: int = 0

    def matches(self, rejection: Rejection) -> bool:
        method_ok = self.method == "*" or self.method.lower() == rejection.method.lower()
        return method_ok and self.description.lower() in rejection.description.lower()


@dataclass
class Rejections:
    seen: list[Rejection] = field(default_factory=list)
    expected: list[ExpectedError] = field(default_factory=list)

    def record(
        self, method: str, status: int, description: str, chat_id: Any, injected: bool
    ) -> Rejection | None:
        if not 400 <= status < 500:
            return None
        rejection = Rejection(method, status, description, chat_id, injected)
        self.seen.append(rejection)
        return rejection

    def expect(self, method: str, description: str, times: int | None = None) -> ExpectedError:
        expected = ExpectedError(method, description, times)
        self.expected.append(expected)
        return expected

    def problems(self, validation_failures: list[dict[str, Any]]) -> list[str]:
        """What makes a test fail: undeclared 4xx, declarations never seen, invalid requests."""
        for expected in self.expected:
            expected.seen = 0
        found = []
        for rejection in list(self.seen):
            if rejection.injected or (rejection.unread and rejection.method == "getUpdates"):
                continue  # asked for by the test; a long poll its client had abandoned
            matching = [e for e in self.expected if e.matches(rejection)]
            for expected in matching:
                expected.seen += 1
            if not matching:
                found.append(
                    f"{rejection.method} answered {rejection.status} "
                    f"{rejection.description!r} (chat {rejection.chat_id}) and the test did "
                    "not declare it (expect_error)"
                )
        for e in self.expected:
            if not e.seen or (e.times is not None and e.seen != e.times):
                wanted = "at least once" if e.times is None else f"{e.times} time(s)"
                found.append(
                    f"expect_error({e.method!r}, {e.description!r}) was declared ({wanted}) "
                    f"but happened {e.seen} time(s)"
                )
        found += [
            f"{f['method']} would be rejected by the Bot API: {f['error']}"
            for f in validation_failures
        ]
        return found
