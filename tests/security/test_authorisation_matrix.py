"""README's "Who can do what", cell by cell: every command and button × role × chat type.

One bot process serves the whole matrix. A cell passes when the bot serves, refuses, points to
the private chat or stays silent exactly as documented, and a refusal (or pointer) carries no
registry data: no unit name, task or milestone text, and no number the user did not type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.e2e.harness import Harness
from tests.e2e.seed import TRANSPORT, WATER
from tests.security.world import Outcome, World, build_world, leaks

pytestmark = pytest.mark.e2e

ROLES = ("admin", "staff", "principal", "contact_a", "contact_b", "unbound", "group_member")
KNOWN = {"admin", "staff", "principal", "contact_a", "contact_b"}
BOUND = {"principal", "contact_a", "contact_b"}
CONTACTS = {"contact_a", "contact_b"}
STAFF = {"admin", "staff"}
SERVED, REFUSED, PRIVATE, SILENT = "served", "refused", "private", "silent"
# What a user of one unit must never see about the other.
OTHER_UNIT = {"principal": WATER, "contact_a": WATER, "contact_b": TRANSPORT}


@dataclass(frozen=True)
class Action:
    name: str
    request: Callable[[World], str]  # the text sent, or the callback data pressed
    button: bool
    private: Callable[[str], set[str]]  # acceptable outcomes in a private chat, per role
    group: Callable[[str], set[str]]  # ... in the group


def only(allowed: set[str], yes: str = SERVED, no: str = REFUSED) -> Callable[[str], set[str]]:
    return lambda role: {yes} if role in allowed else {no}


def pointer_for(allowed: set[str]) -> Callable[[str], set[str]]:
    """In a group: a pointer to the private chat for those allowed, refusal (or pointer) else."""
    return lambda role: {PRIVATE} if role in allowed else {REFUSED, PRIVATE}


def everyone(outcome: str) -> Callable[[str], set[str]]:
    return lambda role: {outcome}


def text(value: str) -> Callable[[World], str]:
    return lambda world: value


ACTIONS = [
    Action("/start", text("/start"), False, everyone(SERVED), everyone(PRIVATE)),
    Action("/help", text("/help"), False, everyone(SERVED), everyone(SERVED)),
    Action("/lang zh", text("/lang zh"), False, everyone(SERVED), everyone(PRIVATE)),
    Action("/cancel", text("/cancel"), False, everyone(SERVED), everyone(PRIVATE)),
    Action("/start CODE", text("/start wrongcode"), False, everyone(SERVED), everyone(PRIVATE)),
    Action("/tasks", text("/tasks"), False, only(BOUND), pointer_for(BOUND)),
    Action(
        "/report",
        text("/report 5 序时推进 矩阵"),
        False,
        only({"contact_a"}),
        pointer_for(CONTACTS),
    ),
    Action("/status", text("/status"), False, only(KNOWN), pointer_for(KNOWN)),
    Action("/status UNIT", text(f"/status {WATER}"), False, only(STAFF), pointer_for(STAFF)),
    Action("/status N", text("/status 8"), False, only(STAFF), pointer_for(STAFF)),
    Action("/overdue", text("/overdue"), False, only(STAFF), pointer_for(STAFF)),
    Action("/invite", text(f"/invite {WATER}"), False, only({"admin"}), pointer_for({"admin"})),
    Action("/subscribe", text("/subscribe"), False, only({"admin"}, PRIVATE), only({"admin"})),
    Action("/unsubscribe", text("/unsubscribe"), False, only({"admin"}, PRIVATE), only({"admin"})),
    # 督办 commands, asked so that a served answer changes nothing (an unknown unit, a date not
    # after the deadline, a report not 已完成): the matrix checks who is let in.
    Action("/urge", text("/urge 矩阵单位"), False, only(STAFF), pointer_for(STAFF)),
    Action("/reopen", text("/reopen 矩阵单位 5"), False, only(STAFF), pointer_for(STAFF)),
    Action(
        "/extend",
        text("/extend 5 2023-03-01 矩阵"),
        False,
        only({"contact_a"}),
        pointer_for(CONTACTS),
    ),
    Action("/close", text("/close 5"), False, only({"contact_a"}), pointer_for(CONTACTS)),
    Action("/pending", text("/pending"), False, only(KNOWN), pointer_for(KNOWN)),
    Action("free text", text("你好"), False, only(KNOWN), everyone(SILENT)),
    Action("photo", text(""), False, only(CONTACTS), everyone(SILENT)),
    # buttons outside their flow: a stale-button alert for everybody
    Action("rs:on_track", text("rs:on_track"), True, everyone(REFUSED), everyone(REFUSED)),
    Action("rk", text("rk"), True, everyone(REFUSED), everyone(REFUSED)),
    Action("rc:s", text("rc:s"), True, everyone(REFUSED), everyone(REFUSED)),
    Action("sp:2023-03:1", text("sp:2023-03:1"), True, only(STAFF), everyone(REFUSED)),
    Action("rt:5", text("rt:5"), True, only({"contact_a"}), everyone(REFUSED)),
    Action(
        "mc:A:met",
        lambda w: f"mc:{w.milestone_a}:met",
        True,
        only({"contact_a"}),
        everyone(REFUSED),
    ),
    Action("rj:A", lambda w: f"rj:{w.entry_a}", True, only({"principal"}), everyone(REFUSED)),
    Action("ap:A", lambda w: f"ap:{w.entry_a}", True, only({"principal"}), everyone(REFUSED)),
]


# What a served answer must say: any other reply (an error, a usage line) is not service.
SERVES = {
    "/start": "推进台账",
    "/help": " — ",  # each role's command list: "/tasks — 本单位的任务" …
    "/lang zh": "已切换为中文",
    "/cancel": "填报",  # 已取消本次填报 / 当前没有正在进行的填报
    "/start CODE": "绑定码无效",
    "/tasks": "2023-03 应报任务",
    "/report": "任务 5",
    "/status": "2023-03 台账",
    "/status UNIT": WATER,
    "/status N": "任务 8",
    "/overdue": "2023-03 暂无逾期未报单位",
    "/invite": "t.me/ledger_test_bot?start=",
    "/subscribe": "订阅每周台账简报",
    "/unsubscribe": "取消订阅",
    "/urge": "没有找到单位：矩阵单位",
    "/reopen": "没有找到单位：矩阵单位",
    "/extend": "任务 5 的延期日期须晚于现有截止日期",
    "/close": "任务 5 本期报送的完成状态须为“已完成”才能申请销号",
    "/pending": "待",  # the queue (待审定 …) or 没有待办事项
    "free text": "没有理解您的消息",
    "photo": "附件",
    "sp:2023-03:1": "2023-03 台账",
    "rt:5": "任务 5",
    "mc:A:met": "请回复完成情况说明（任务 5）",
    "rj:A": "请回复退回原因（任务 5）",
    "ap:A": "任务 5",
}


def perform(world: World, action: Action, user: int, chat: int) -> tuple[str, Outcome]:
    request = action.request(world)
    if action.button:
        return request, world.press(user, request, chat)
    if action.name == "photo":
        return request, world.photo(user, chat)
    return request, world.say(user, request, chat)


def check(role: str, chat_kind: str, action: Action, request: str, outcome: Outcome) -> list[str]:
    expected = (action.private if chat_kind == "private" else action.group)(role)
    cell = f"{action.name} × {role} × {chat_kind}"
    problems = []
    if outcome.kind not in expected:
        problems.append(f"{cell}: {outcome.kind}, expected {sorted(expected)}: {outcome.texts}")
    elif outcome.kind == SERVED and not any(SERVES[action.name] in t for t in outcome.texts):
        problems.append(f"{cell}: served without {SERVES[action.name]!r}: {outcome.texts}")
    if outcome.kind != SERVED:
        for shown in outcome.texts:
            if found := leaks(shown, request):
                problems.append(f"{cell}: the refusal shows {found}: {shown!r}")
    elif role in OTHER_UNIT:
        for shown in outcome.texts:
            if OTHER_UNIT[role] in shown:
                problems.append(f"{cell}: shows another unit ({OTHER_UNIT[role]}): {shown!r}")
    return problems


def run_matrix(world: World) -> tuple[int, list[str]]:
    cells, problems = 0, []
    for chat_kind in ("private", "group"):
        for role in ROLES:
            user = world.users[role]
            chat = user if chat_kind == "private" else world.group
            for action in ACTIONS:
                request, outcome = perform(world, action, user, chat)
                problems += check(role, chat_kind, action, request, outcome)
                cells += 1
            world.say(user, "/cancel")  # leave no flow behind for the next role
    return cells, problems


def test_every_cell_is_allowed_or_refused_as_documented(harness: Harness) -> None:
    world = build_world(harness)
    cells, problems = run_matrix(world)
    assert cells == len(ROLES) * len(ACTIONS) * 2
    servable = {a.name for a in ACTIONS if any(SERVED in a.private(r) | a.group(r) for r in ROLES)}
    assert set(SERVES) == servable
    assert problems == [], "\n".join(problems)
    assert "Traceback" not in harness.bot.log(), harness.bot.log()[-3000:]
