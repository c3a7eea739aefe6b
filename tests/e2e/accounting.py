"""Deliveries counted outside the bot: what the double received against what the test
expected, per chat and kind of message. A duplicate is excused only by an ambiguous outcome
the test itself caused and observed:

- a SIGKILL: right after it (the bot dead, its sends settled), every message the double holds
  beyond the `sent` rows of its chat and kind is one whose outcome the bot never learned; at
  most that many copies may arrive later;
- a `timeout_after` fault: the double applied the call and answered too late (counted by the
  double's fault log per chat).

Nothing the bot writes about itself (its possible-duplicate markers) excuses anything.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from ledger.vocab import OutboxState
from models import OutboxMessage
from models.db import make_engine
from tests.e2e.harness import Harness, Message

Key = tuple[int, str]  # (chat id, kind of message)
# Outbox kinds, and how the text of each reads (checked in this order).
ROW_KINDS = {
    "ledger-prompt": "prompt",
    "ledger-reminder": "reminder",
    "ledger-escalation": "escalation",
    "ledger-overdue": "escalation",  # the overdue unit's own 逾期通报
    "digest": "digest",
    "digest-chart": "chart",
}
NEEDLES = (
    ("digest", "每周台账简报"),
    ("escalation", "逾期通报"),
    ("reminder", "提醒"),
    ("prompt", "推进台账"),
    ("unreachable", "unreachable"),
)


def kind_of(message: Message) -> str:
    if message.get("photo"):
        return "chart"
    text = message.get("text") or message.get("caption") or ""
    return next((kind for kind, needle in NEEDLES if needle in text), "other")


def received(harness: Harness, chats: Iterable[int]) -> Counter[Key]:
    """What the double holds from the bot, per (chat, kind)."""
    return Counter(
        (chat, kind_of(message)) for chat in set(chats) for message in harness.bot_messages(chat)
    )


async def _sent_rows(url: str) -> Counter[Key]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(OutboxMessage.chat_id, OutboxMessage.kind).where(
                    OutboxMessage.state == OutboxState.SENT
                )
            )
            return Counter((int(chat), ROW_KINDS.get(kind, kind)) for chat, kind in rows)
    finally:
        await engine.dispose()


@dataclass
class Tally:
    """Expected deliveries, and the duplicates the test's own faults and kills may cause."""

    expected: Counter[Key]
    excused: Counter[Key] = field(default_factory=Counter)
    kills: int = 0

    @property
    def chats(self) -> set[int]:
        return {chat for chat, _ in self.expected}

    def after_kill(self, harness: Harness) -> None:
        """Call with the bot dead and its sends settled (`Harness.run_until_killed`)."""
        self.kills += 1
        got = received(harness, self.chats)
        sent = asyncio.run(_sent_rows(harness.db_url))
        for key, count in got.items():
            self.excused[key] = max(self.excused[key], count - sent[key])

    def after_faults(self, applied_unanswered: dict[str, int], kinds: Iterable[str]) -> None:
        """`timeout_after` faults per chat (the double's count) excuse that many copies of
        any of `kinds` in that chat."""
        for chat, count in applied_unanswered.items():
            for kind in kinds:
                self.excused[(int(chat), kind)] += count

    def verdict(self, harness: Harness) -> Verdict:
        got = received(harness, self.chats)
        keys = set(got) | set(self.expected)
        extra = {k: got[k] - self.expected[k] for k in keys if got[k] > self.expected[k]}
        return Verdict(
            expected=sum(self.expected.values()),
            received=sum(got[k] for k in keys),
            lost={k: self.expected[k] - got[k] for k in keys if got[k] < self.expected[k]},
            doubled=sum(extra.values()),
            excused=sum(min(n, self.excused[k]) for k, n in extra.items()),
            unexcused={k: n - self.excused[k] for k, n in extra.items() if n > self.excused[k]},
        )


@dataclass
class Verdict:
    expected: int
    received: int
    lost: dict[Key, int]  # expected, never arrived
    doubled: int  # copies beyond the expected
    excused: int  # of which an ambiguous outcome the test caused explains
    unexcused: dict[Key, int]  # the rest: a test failure
