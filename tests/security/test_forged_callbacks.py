"""Forged button presses: another unit's task, entry or milestone, tampered ids, garbage.

Each is refused with an alert that shows no registry data, and changes nothing: the other
unit's entry stays awaiting 审定, no milestone answer or conversation step is stored.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from ledger.vocab import EntryState
from models import ConversationState, MilestoneResult, ProgressEntry
from models.db import make_engine
from tests.e2e.harness import Harness
from tests.security.world import World, build_world, leaks

pytestmark = pytest.mark.e2e

HUGE = "9" * 40  # fits in callback_data, not in any integer column


def forged(world: World) -> list[tuple[str, str]]:
    """(role, callback data) pairs that must all be refused."""
    return [
        ("contact_a", "rt:8"),  # unit B's task
        ("contact_b", "rt:5"),  # unit A's task
        ("principal", f"ap:{world.entry_b}"),  # unit B's entry
        ("principal", f"rj:{world.entry_b}"),
        ("contact_a", f"mc:{world.milestone_b}:met"),  # a milestone unit B leads
        ("contact_b", f"mc:{world.milestone_a}:partly"),
        ("principal", f"ap:{world.entry_b + 1000}"),  # tampered ids
        ("principal", "ap:-1"),
        ("principal", f"ap:{HUGE}"),
        ("principal", f"rj:{HUGE}"),
        ("principal", "ap:١"),  # an Arabic-Indic digit: isdecimal() but not ASCII
        ("contact_a", f"rt:{HUGE}"),
        ("contact_a", "rt:abc"),
        ("contact_a", f"mc:{HUGE}:met"),
        ("contact_a", f"mc:{world.milestone_a}:bogus"),
        ("contact_a", "mc::met"),
        ("contact_a", "mc:"),
        ("contact_a", "rs:bogus"),
        ("contact_a", "xx:garbage"),  # no such button at all
        ("unbound", "xx:" + "\u202e" * 20),
        ("contact_a", "sp:2023-03:2"),  # a status page, not staff
        ("unbound", "sp:2023-03:1"),
        ("staff", "sp:2023-13:1"),  # staff, but a tampered page
        ("staff", "sp:garbage"),
    ]


async def _state(url: str, entry_b: int) -> tuple[EntryState, bool, int, int]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        entry = (
            await connection.execute(
                select(ProgressEntry.state, ProgressEntry.is_current).where(
                    ProgressEntry.id == entry_b
                )
            )
        ).one()
        results = await connection.scalar(select(func.count()).select_from(MilestoneResult))
        steps = await connection.scalar(select(func.count()).select_from(ConversationState))
    await engine.dispose()
    return EntryState(entry[0]), bool(entry[1]), int(results or 0), int(steps or 0)


def test_forged_callbacks_are_refused_and_change_nothing(harness: Harness) -> None:
    world = build_world(harness)
    problems = []
    for role, data in forged(world):
        outcome = world.press(world.users[role], data)
        if outcome.kind != "refused":
            problems.append(f"{data} by {role}: {outcome.kind}: {outcome.texts}")
        if outcome.answer is None:
            problems.append(f"{data} by {role}: the button press was never answered")
        for shown in outcome.texts:
            if found := leaks(shown, data):
                problems.append(f"{data} by {role}: shows {found}: {shown!r}")
    assert problems == [], "\n".join(problems)
    state = asyncio.run(_state(harness.db_url, world.entry_b))
    assert state == (EntryState.SUBMITTED, True, 0, 0)
    log = harness.bot.log()
    assert "Traceback" not in log and "error while handling" not in log, log[-3000:]


def test_a_double_tap_on_a_status_page_is_harmless(harness: Harness) -> None:
    world = build_world(harness)
    staff = world.users["staff"]
    page = world.bot_messages(staff)[-1]["message_id"]
    first = world.press(staff, "sp:2023-03:1", message_id=page)
    assert first.kind == "served" and first.edits
    again = world.press(staff, "sp:2023-03:1", message_id=page)  # that page is already shown
    assert again.answer is not None and not again.replies and not again.edits
    assert "error while handling" not in harness.bot.log(), harness.bot.log()[-3000:]
