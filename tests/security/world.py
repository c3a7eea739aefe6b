"""One bot process, one registry, one user per role: the stage for the security tests.

`act` performs one action (a message or a button press, forged or not) and returns what the
bot did about it. Updates are handled one at a time, so a `/help` sent right after the action
("the sentinel") is answered only once the action is done: whatever the bot wrote between the
two is the action's outcome, and an action that got no answer at all is seen as such.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from ledger.vocab import ContactRole
from models import Contact, Milestone, Staff, Task, Unit
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, seed

FAKE_NOW = "2023-04-02T10:00:00+08:00"  # a Sunday: period 2023-03 is open, nothing fires
ROLE_IDS = {
    "staff": 910_000_002,
    "principal": 910_000_003,  # of unit A (市交通运输局)
    "contact_a": 910_000_004,
    "contact_b": 910_000_005,  # of unit B (市水务局)
    "unbound": 910_000_006,
    "group_member": 910_000_007,  # only ever seen in the group
    "principal_b": 910_000_008,  # not a matrix role: makes unit B's entries wait for 审定
}
UNIT_NAMES = (TRANSPORT, WATER, DEVELOPMENT, "各县(区)", "雁江区")
TASK_TEXTS = ("协同畅通公路网体系", "成渝高速扩容", "优化提升公共交通服务", "强力推进水利设施建设")
MILESTONE_TEXTS = ("二季度完成路基工程", "二季度完成水库除险")
REFUSALS = (
    "无权",  # the one polite line (access.refused), "您无权审定该条目"
    "只有责任单位的填报人可以填报",
    "不属于",  # task / milestone not the caller's
    "按钮已失效",  # a button outside its flow
)
POINTERS = ("请在与机器人的私聊中使用", "填报只能在私聊中进行", "请在群组中使用此命令")
_query_ids = itertools.count(1)


@dataclass
class Outcome:
    """What the bot did about one action."""

    replies: list[str] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)
    answer: dict[str, Any] | None = None

    @property
    def texts(self) -> list[str]:
        shown = [self.answer["text"]] if self.answer and self.answer.get("text") else []
        return self.replies + self.edits + shown

    @property
    def kind(self) -> str:
        """served, refused, private (a pointer to the private chat) or silent. "served" only
        means "neither a refusal nor a pointer": the matrix checks what a served answer says."""
        texts = self.texts
        if not texts:
            return "silent"
        if all(any(p in t for p in POINTERS) for t in texts):
            return "private"
        if all(any(r in t for r in REFUSALS) for t in texts):
            return "refused"
        return "served"


@dataclass
class World:
    harness: Harness
    users: dict[str, int]
    group: int
    entry_a: int
    entry_b: int
    milestone_a: int
    milestone_b: int
    sentinels: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def control(self) -> Any:
        return self.harness.control

    def bot_messages(self, chat: int) -> list[dict[str, Any]]:
        return self.harness.bot_messages(chat)

    def say(self, user: int, text: str, chat: int | None = None) -> Outcome:
        chat = chat or user
        send = lambda: self.control.send_message(user, text, chat_id=_g(user, chat))  # noqa: E731
        return self._observe(user, chat, send, helps=int(text.strip() == "/help"))

    def photo(self, user: int, chat: int | None = None) -> Outcome:
        chat = chat or user
        send = lambda: self.control.send_photo(user, chat_id=_g(user, chat))  # noqa: E731
        return self._observe(user, chat, send)

    def press(
        self, user: int, data: str, chat: int | None = None, message_id: int | None = None
    ) -> Outcome:
        """Press a button with any `data` (forged) on a bot message, by default its latest."""
        chat = chat or user
        query_id = ""

        def action() -> None:
            nonlocal query_id
            query_id = forge_callback(self.harness, user, chat, data, message_id)

        outcome = self._observe(user, chat, action)
        outcome.answer = self._answer(query_id)
        return outcome

    def _answer(self, query_id: str) -> dict[str, Any] | None:
        for item in self.control.callback_answers():
            if item["callback_query_id"] == query_id:
                return item["answer"]
        return None

    def _observe(self, user: int, chat: int, action: Any, helps: int = 0) -> Outcome:
        before = {m["message_id"]: m.get("text") for m in self.bot_messages(chat)}
        action()
        after = self._after_sentinel(user, chat, len(before), helps)
        replies = [
            m.get("text") or m.get("caption") or "" for m in after if m["message_id"] not in before
        ]
        edits = [
            m.get("text") or ""
            for m in self.bot_messages(chat)
            if m["message_id"] in before and m.get("text") != before[m["message_id"]]
        ]
        return Outcome(replies=replies, edits=edits)

    def _after_sentinel(self, user: int, chat: int, count: int, helps: int) -> list[dict[str, Any]]:
        """Send /help and return the bot's messages that came before its answer (`helps`:
        how many answers to /help the action itself asked for)."""
        expected = self.sentinels[(user, chat)]
        self.control.send_message(user, "/help", chat_id=_g(user, chat))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            messages = self.bot_messages(chat)[count:]
            found = [i for i, m in enumerate(messages) if m.get("text") == expected]
            if len(found) > helps:
                # The action's messages that follow a state change are outbox rows, committed
                # before the sentinel was handled (one chat's updates are handled in order):
                # once the outbox has drained, they are all here.
                self.harness.wait_drained()
                messages = self.bot_messages(chat)[count:]
                return messages[: found[helps]] + messages[found[helps] + 1 :]
            time.sleep(0.02)
        raise AssertionError(f"no answer to the sentinel:\n{self.harness.bot.log()[-3000:]}")

    def learn_sentinel(self, user: int, chat: int) -> None:
        before = len(self.bot_messages(chat))
        self.control.send_message(user, "/help", chat_id=_g(user, chat))
        messages = self.control.wait_for_messages(chat, before + 1, timeout=15)
        self.sentinels[(user, chat)] = messages[before]["text"]


def _g(user: int, chat: int) -> int | None:
    return None if chat == user else chat


def forge_callback(
    harness: Harness, user_id: int, chat_id: int, data: str, message_id: int | None = None
) -> str:
    """A callback query with any `data` on a bot message (by default the latest) in `chat_id`.

    `inject_update` alone would queue a query the double does not know, so its
    answerCallbackQuery would fail; the query is registered with the double (on its own event
    loop) exactly as a real button press is, then queued.
    """
    state = harness.tg.double.state
    message_id = message_id or harness.bot_messages(chat_id)[-1]["message_id"]

    async def inject() -> str:
        user = state.user(user_id)
        message = state.find_message(chat_id, message_id)
        query_id = str(7_000_000_000 + next(_query_ids))
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": state.message_api(message),
            "chat_instance": str(abs(chat_id) * 31 + 17),
            "data": data,
        }
        state.callback_queries[query_id] = {"query": query, "answer": None, "at": time.time()}
        state.updates.add("callback_query", query)
        return query_id

    return asyncio.run_coroutine_threadsafe(inject(), harness.tg.loop).result(10)


def leaks(text: str, request: str) -> list[str]:
    """Registry data in a reply: unit names, task or milestone texts, numbers not typed."""
    found = [name for name in (*UNIT_NAMES, *TASK_TEXTS, *MILESTONE_TEXTS) if name in text]
    typed = set(re.findall(r"\d+", request))
    found += [n for n in re.findall(r"\d+", text) if n not in typed]
    return found


async def _seed_people(url: str) -> tuple[int, int]:
    """Bindings, a staff member and one quarter-2 milestone for tasks 5 (unit A) and 8 (B)."""
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as s:
        unit = {u.name: u.id for u in (await s.scalars(select(Unit))).all()}
        people = [
            ("principal", TRANSPORT, ContactRole.PRINCIPAL),
            ("contact_a", TRANSPORT, ContactRole.CONTACT),
            ("contact_b", WATER, ContactRole.CONTACT),
            ("principal_b", WATER, ContactRole.PRINCIPAL),
        ]
        for role, name, kind in people:
            s.add(Contact(telegram_user_id=ROLE_IDS[role], unit_id=unit[name], role=kind))
        s.add(Staff(telegram_user_id=ROLE_IDS["staff"]))
        tasks = {t.number: t.id for t in (await s.scalars(select(Task))).all()}
        ids = []
        for number, target in zip((5, 8), MILESTONE_TEXTS, strict=True):
            milestone = Milestone(
                task_id=tasks[number], quarter=2, target=target, due_date=date(2023, 6, 30)
            )
            s.add(milestone)
            await s.flush()
            ids.append(milestone.id)
    await engine.dispose()
    return ids[0], ids[1]


def _approval_entry(world_harness: Harness, principal: int, contact: int, report: str) -> int:
    before = len(world_harness.bot_messages(principal))
    world_harness.say(contact, report)
    request = world_harness.control.wait_for_messages(principal, before + 1, timeout=15)[before]
    approve = next(data for _, data in buttons(request) if data.startswith("ap:"))
    return int(approve.partition(":")[2])


def build_world(harness: Harness) -> World:
    """Seed, start the bot, create the users and a group, and two entries awaiting 审定."""
    seed(harness.db_url)
    milestone_a, milestone_b = asyncio.run(_seed_people(harness.db_url))
    users = {"admin": harness.admin_ids[0], **ROLE_IDS}
    for role, user in users.items():
        harness.control.create_user(role, user_id=user)
    group = int(harness.control.create_group("推进工作群", members=list(users.values()))["id"])
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    entry_a = _approval_entry(
        harness, users["principal"], users["contact_a"], "/report 5 序时推进 甲"
    )
    entry_b = _approval_entry(
        harness, users["principal_b"], users["contact_b"], "/report 8 滞后 乙"
    )
    world = World(harness, users, group, entry_a, entry_b, milestone_a, milestone_b)
    for user in users.values():
        world.learn_sentinel(user, user)
        world.learn_sentinel(user, group)
    return world
