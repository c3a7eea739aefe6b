"""Invite codes through the real bot: unguessable, single use, expiring, revocable, and brute
force locked out after five wrong codes for ten minutes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from models import Invite
from models.db import make_engine
from tests.e2e.harness import Harness
from tests.e2e.seed import TRANSPORT, WATER, seed

pytestmark = pytest.mark.e2e

NOW = "2023-04-03T10:00:00+08:00"
EIGHT_DAYS_AGO = "2023-03-26T10:00:00+08:00"
ELEVEN_MINUTES_LATER = "2023-04-03T10:11:00+08:00"


def invite(harness: Harness, unit: str = TRANSPORT, *, now: str = NOW) -> dict[str, Any]:
    """`ledgerbot invite --json`, with the CLI's clock at `now`."""
    saved = harness.extra_env.get("LEDGERBOT_FAKE_NOW")
    harness.extra_env["LEDGERBOT_FAKE_NOW"] = now
    try:
        return dict(harness.cli_json("invite", unit))
    finally:
        harness.extra_env["LEDGERBOT_FAKE_NOW"] = saved or NOW


def bot_invite(harness: Harness, unit: str = TRANSPORT) -> str:
    """An admin's /invite in the bot; returns the code of the deep link it answers with."""
    admin = harness.admin_ids[0]
    [reply] = harness.say(admin, f"/invite {unit}")
    return str(reply["text"]).rsplit("?start=", 1)[1].strip()


def redeem(harness: Harness, user: int, code: str) -> str:
    [reply] = harness.say(user, f"/start {code}")
    return str(reply["text"])


async def _stored_hashes(url: str) -> list[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        hashes = list((await connection.scalars(select(Invite.code_hash))).all())
    await engine.dispose()
    return hashes


@pytest.fixture
def world(harness: Harness) -> Harness:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=NOW)
    harness.control.create_user("管理员", user_id=harness.admin_ids[0])
    return harness


def test_codes_are_unguessable_and_stored_hashed(world: Harness) -> None:
    codes = [invite(world)["code"]] + [bot_invite(world) for _ in range(20)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        assert len(raw) * 8 >= 128, code  # at least 128 random bits
        assert len(code) <= 64  # fits Telegram's /start parameter
    stored = asyncio.run(_stored_hashes(world.db_url))
    assert sorted(stored) == sorted(hashlib.sha256(c.encode()).hexdigest() for c in codes)
    listing = world.cli("invites", "list").stdout + world.cli("invites", "list", "--json").stdout
    assert not any(code in listing for code in codes)  # never shown again


def test_single_use_expiry_and_revocation(world: Harness) -> None:
    first, second = world.user("甲"), world.user("乙")
    code = bot_invite(world)
    assert TRANSPORT in redeem(world, first, code)
    assert "已被使用" in redeem(world, second, code)

    expired = invite(world, WATER, now=EIGHT_DAYS_AGO)["code"]  # 7 days, made 8 days ago
    assert "已过期" in redeem(world, second, expired)

    revoked = bot_invite(world, WATER)
    world.cli("invites", "revoke", str(newest_invite(world)))
    reply = redeem(world, second, revoked)
    assert "已被撤销" in reply and WATER not in reply
    [refused] = world.say(second, "/tasks")  # none of the three bound the second user
    assert "无权" in refused["text"]


def newest_invite(harness: Harness) -> int:
    rows = harness.cli_json("invites", "list")
    listed = rows["invites"] if isinstance(rows, dict) else rows
    return max(int(row["id"]) for row in listed)


def test_brute_force_is_locked_out_through_the_bot(world: Harness) -> None:
    attacker = world.user("猜码者")
    code = bot_invite(world)
    replies = [redeem(world, attacker, f"guess{n:027d}") for n in range(5)]
    assert all("无效" in r for r in replies), replies
    locked = redeem(world, attacker, code)  # the sixth try, even with the right code, is refused
    assert "尝试次数过多" in locked and TRANSPORT not in locked
    other = world.user("无关用户")  # the lock is per user: others are unaffected
    assert "无效" in redeem(world, other, "guess-from-someone-else")

    world.bot.stop()
    world.start(LEDGERBOT_FAKE_NOW=ELEVEN_MINUTES_LATER)
    assert TRANSPORT in redeem(world, attacker, code)  # the lock has lapsed
