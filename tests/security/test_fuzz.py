"""hypothesis against every text and command handler of one running bot: random Unicode, huge
messages, commands with odd arguments and odd entities. Every message gets a clear reply, the
log has no traceback, and an entry is written only when the reply says it was submitted."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models import ProgressEntry
from models.db import make_engine
from tests.e2e.harness import Harness
from tests.security.world import World, build_world

pytestmark = pytest.mark.e2e

COMMANDS = [
    "/start", "/help", "/lang", "/cancel", "/tasks", "/report", "/status", "/overdue",
    "/invite", "/subscribe", "/unsubscribe", "/export", "/bulletin", "/digest", "/nosuch",
]  # fmt: skip
ROLES = ["contact_a", "principal", "staff", "admin", "unbound"]
ENTITY_TYPES = ["bold", "italic", "code", "pre", "url", "mention", "bot_command", "text_link"]
EXAMPLES = 100

words = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)
huge = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=3000, max_size=4096)
arguments = st.one_of(
    words,
    st.integers().map(str),
    st.sampled_from(["5", "5 done x", "5 序时推进 进展", "9" * 40, "-1", "١٢", "市水务局"]),
)
commands = st.builds(lambda c, a: f"{c} {a}".strip(), st.sampled_from(COMMANDS), arguments)
messages = st.one_of(words, huge, commands).filter(lambda t: t.strip() != "")


@st.composite
def entities(draw: Any, text: str) -> list[dict[str, Any]]:
    """Up to three entities anywhere in the text (offsets in UTF-16 code units)."""
    length = len(text.encode("utf-16-le")) // 2
    found = []
    for _ in range(draw(st.integers(0, 3))):
        offset = draw(st.integers(0, max(length - 1, 0)))
        entity = {
            "type": draw(st.sampled_from(ENTITY_TYPES)),
            "offset": offset,
            "length": draw(st.integers(1, max(length - offset, 1))),
        }
        if entity["type"] == "text_link":
            entity["url"] = "https://example.org/x"
        found.append(entity)
    return found


async def _entries(url: str) -> int:
    engine = make_engine(url)
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(ProgressEntry))
    await engine.dispose()
    return int(count or 0)


def send(world: World, role: str, text: str, marks: list[dict[str, Any]]) -> list[str]:
    user = world.users[role]

    def action() -> None:
        world.control.send_message(user, text, entities=marks or None)

    outcome = world._observe(user, user, action, helps=int(asks_help(text, marks)))
    return outcome.texts


def asks_help(text: str, marks: list[dict[str, Any]]) -> bool:
    """Whether the bot reads the message as /help (then it answers like the sentinel)."""
    if not marks:
        return text.split()[0] == "/help"
    first = marks[0]
    if first["type"] != "bot_command" or first["offset"] != 0:
        return False
    units = text.encode("utf-16-le")[: first["length"] * 2].decode("utf-16-le", "replace")
    return units.split("@")[0] == "/help"


def test_handlers_survive_random_input(harness: Harness) -> None:
    world = build_world(harness)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: each try costs a round trip
        suppress_health_check=list(HealthCheck),
    )
    @given(role=st.sampled_from(ROLES), data=st.data())
    def one_message(role: str, data: st.DataObject) -> None:
        text = data.draw(messages, label="text")
        marks = data.draw(entities(text), label="entities")
        before = asyncio.run(_entries(harness.db_url))
        replies = send(world, role, text, marks)
        assert replies, f"no reply to {text[:80]!r}"
        log = harness.bot.log()
        assert "Traceback" not in log and "error while handling" not in log, log[-3000:]
        written = asyncio.run(_entries(harness.db_url)) - before
        submitted = any("已提交" in r for r in replies)
        assert written == int(submitted), (text[:80], replies)

    one_message()
