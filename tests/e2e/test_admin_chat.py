"""/units, /pause, /resume, /staff, /alias, /group: the registry in chat for admins, through
the real bot; every other role is refused."""

from __future__ import annotations

import pytest

from tests.e2e.examples import example
from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import DEVELOPMENT, TRANSPORT, WATER, seed
from tests.e2e.test_reporting_flows import FAKE_NOW, bind

pytestmark = pytest.mark.e2e

ENGLISH_ADMIN, NEW_STAFF = 900_000_002, 555_000_004


def test_admins_manage_the_registry_in_chat(harness: Harness) -> None:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    world, admin = harness, harness.admin_ids[0]
    world.control.create_user("管理员", user_id=admin)
    world.cli("staff", "add", str(ENGLISH_ADMIN), "--admin")
    world.control.create_user("Admin", user_id=ENGLISH_ADMIN, language_code="en")
    contact, principal = world.user("王五"), world.user("李局长")
    bind(world, contact, TRANSPORT)
    bind(world, principal, TRANSPORT, "principal")

    def run(user: int, lang: str, sent: str, expect: int = 1) -> list[str]:
        replies = world.say(user, sent, expect=expect)
        example(sent.split()[0].lstrip("/"), lang, sent, replies)
        return [str(r["text"]) for r in replies]

    assert run(admin, "zh", "/units") == [
        "单位 5 个：\n"
        f"{TRANSPORT}\n  填报人：王五\n  主要负责同志：李局长\n"
        f"{DEVELOPMENT}\n  （未绑定填报人）\n"
        f"{WATER}\n  （未绑定填报人）\n"
        "各县(区)（集体）\n  成员：雁江区\n"
        "雁江区\n  （未绑定填报人）"
    ]
    [english_units] = run(ENGLISH_ADMIN, "en", "/units")
    assert english_units.splitlines()[:4] == [
        "5 units:",
        TRANSPORT,
        "  contacts: 王五",
        "  principals: 李局长",
    ]

    # /pause and /resume by part of the name, as the CLI does them.
    assert run(admin, "zh", "/pause 水务") == [
        f"已暂停 {WATER}：自 2023-04-03 起，至恢复为止（已开放期次不变）"
    ]
    [paused] = world.say(admin, "/units")
    assert f"{WATER} ⏸ 暂停中" in paused["text"].splitlines()
    assert run(ENGLISH_ADMIN, "en", "/resume 水务") == [
        f"{WATER} resumed from 2023-04-03 (open periods unchanged)"
    ]
    assert run(admin, "zh", "/resume 水务") == [f"{WATER} 未处于暂停状态。"]
    [choose] = world.say(admin, "/pause 局")
    assert [label for label, _ in buttons(choose)] == [TRANSPORT, WATER]
    [chosen] = world.press(admin, choose, buttons(choose)[1][1])
    assert chosen["text"].startswith(f"已暂停 {WATER}：")
    run(ENGLISH_ADMIN, "en", "/pause 市水务局")  # a second pause of the same unit is recorded

    # /staff add|remove: the new member is served at once, then refused again.
    world.control.create_user("值班人员", user_id=NEW_STAFF)
    [refused] = world.say(NEW_STAFF, "/overdue")
    assert "无权" in refused["text"]
    assert run(admin, "zh", f"/staff add {NEW_STAFF}") == [f"{NEW_STAFF} 已设为工作人员。"]
    [served] = world.say(NEW_STAFF, "/overdue")
    assert served["text"] == "2023-03 暂无逾期未报单位。"
    assert run(ENGLISH_ADMIN, "en", f"/staff remove {NEW_STAFF}") == [
        f"{NEW_STAFF} removed from staff."
    ]
    [refused] = world.say(NEW_STAFF, "/overdue")
    assert "无权" in refused["text"]
    [twice] = world.say(admin, f"/staff remove {NEW_STAFF}")
    assert twice["text"] == f"{NEW_STAFF} 不是工作人员。"
    run(ENGLISH_ADMIN, "en", f"/staff add {NEW_STAFF} admin")
    [usage] = world.say(admin, "/staff add someone")
    assert usage["text"] == "用法：/staff add 用户ID [admin] 或 /staff remove 用户ID"

    # /alias and /group: the same rules (and refusals) as `ledgerbot units alias|group`.
    assert run(admin, "zh", f"/alias {DEVELOPMENT} 发改委") == [
        f"“发改委”现为 {DEVELOPMENT} 的别名。"
    ]
    [same] = world.say(admin, "/alias 发改委 发改委")
    assert same["text"] == "未改动：'发改委' is the unit's own name"
    run(ENGLISH_ADMIN, "en", f"/alias {WATER} 水务局")
    assert run(admin, "zh", "/group 各县(区) 雁江区 安岳县") == [
        "各县(区) 的成员：雁江区、安岳县（新建单位：安岳县）"
    ]
    assert run(ENGLISH_ADMIN, "en", "/group 各县(区) 雁江区 安岳县 乐至县") == [
        "Members of 各县(区): 雁江区、安岳县、乐至县 (new units: 乐至县)"
    ]
    [listed] = world.say(admin, "/units")
    assert "  成员：雁江区、安岳县、乐至县" in listed["text"].splitlines()
    assert "  别名：发改委" in listed["text"].splitlines()

    # /audit: the latest entries, by unit (its own rows and its entries') or by task number.
    world.say(contact, "/report 5 序时推进 路基完成70%")
    world.wait_drained()  # the 审定 request reaches the principal before the principal speaks
    [by_unit] = run(admin, "zh", "/audit 水务")
    lines = by_unit.splitlines()
    assert lines[0] == f"审计日志（最近 5 条，{WATER}）："
    assert [line.split(" · ", 1)[1] for line in lines[1::2]] == [
        f"unit.alias · {WATER} · Admin（{ENGLISH_ADMIN}） · 会话 {ENGLISH_ADMIN}",
        f"unit.pause · {WATER} · Admin（{ENGLISH_ADMIN}） · 会话 {ENGLISH_ADMIN}",
        f"unit.pause · {WATER} · 管理员（{admin}） · 会话 {admin}",
        f"unit.resume · {WATER} · Admin（{ENGLISH_ADMIN}） · 会话 {ENGLISH_ADMIN}",
        f"unit.pause · {WATER} · 管理员（{admin}） · 会话 {admin}",
    ]
    [by_task] = run(ENGLISH_ADMIN, "en", "/audit 5")
    assert by_task.splitlines()[0] == "Audit log (latest 1, task 5):"
    assert by_task.splitlines()[1].split(" · ", 1)[1] == (
        f"entry.submit · {TRANSPORT}/5/2023-03 · 王五 ({contact}) · chat {contact}"
    )
    [everything] = world.say(admin, "/audit")
    head, *rest = everything["text"].splitlines()
    assert head == f"审计日志（最近 {sum(not line.startswith('  ') for line in rest)} 条）："

    # Nobody else may touch the registry or read the audit log.
    for user in (contact, principal, NEW_STAFF - 1):
        if user == NEW_STAFF - 1:
            world.control.create_user("路人", user_id=user)
        for command in ("/units", "/pause 水务", "/resume 水务", "/staff add 1", "/alias a b",
                        "/group a b", "/audit"):  # fmt: skip
            [reply] = world.say(user, command)
            assert "无权" in reply["text"], (user, command)
