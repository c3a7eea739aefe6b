"""An admin sends a plan document in a private chat: dry run, [导入] / [取消], the import's
report with its warnings, the CLI's limits — through the real bot."""

from __future__ import annotations

import asyncio

import pytest

from models.db import make_engine, make_session_factory, transaction
from tests.e2e.examples import example
from tests.e2e.harness import Harness, Message, buttons
from tests.e2e.seed import TRANSPORT, seed
from tests.e2e.test_reporting_flows import FAKE_NOW, bind
from tests.factories import make_unit

pytestmark = pytest.mark.e2e

PLAN = """成资同城化发展2024年工作要点

一、文旅融合

1.联合推出成资旅游精品线路。全年推出3条。
责任单位:市文化广电旅游局,各园区

2.共办成资文化节。举办1届。
责任单位:交通运输局
""".encode()
ENGLISH_ADMIN = 900_000_002


def upload(
    world: Harness, user: int, data: bytes, name: str, caption: str | None = None
) -> Message:
    before = len(world.bot_messages(user))
    world.control.send_document(user, data, name, mime_type="text/plain", caption=caption)
    [reply] = world.control.wait_for_messages(user, before + 1)[before:]
    return reply


async def _culture(url: str) -> None:
    """文化广电旅游局, filed under its short name by an earlier import."""
    engine = make_engine(url)
    async with transaction(make_session_factory(engine)) as session:
        await make_unit(session, "文化广电旅游局")
    await engine.dispose()


def test_admin_imports_a_plan_by_upload(harness: Harness) -> None:
    seed(harness.db_url)
    asyncio.run(_culture(harness.db_url))
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW, LEDGERBOT_IMPORT_MAX_FILE_MB="0.001")
    world, admin = harness, harness.admin_ids[0]
    world.control.create_user("管理员", user_id=admin)

    dry = upload(world, admin, PLAN, "2024要点.txt")
    example("(upload a plan document)", "zh", "[document 2024要点.txt]", [dry])
    assert dry["text"] == (
        "📄 2024要点.txt（试导入，尚未写入）\n"
        "计划：2024 成资同城化发展2024年工作要点\n"
        "填报期：2024-01 至 2024-12\n"
        "1 个部分，2 项任务，3 个责任单位：\n"
        f"市文化广电旅游局、各园区、{TRANSPORT}\n"
        "⚠ 提示 3 条：\n"
        "· no lead rule declared; assumed units before the first comma lead\n"
        "· collective 各园区 has no members, so its tasks reach no unit: `/group 各园区 MEMBER…` "
        "(or `ledgerbot units group 各园区 MEMBER…`) fills it\n"
        "· new unit 市文化广电旅游局 looks like 文化广电旅游局: `/alias 文化广电旅游局 "
        "市文化广电旅游局` (or `ledgerbot units alias 文化广电旅游局 市文化广电旅游局`) files it "
        "under 文化广电旅游局"
    )
    assert [label for label, _ in buttons(dry)] == ["导入", "取消"]
    assert world.cli_json("plan", "list")[-1]["year"] == 2023  # nothing written yet

    [cancelled] = world.press(admin, dry, buttons(dry)[1][1])
    assert cancelled["text"] == "已取消，未导入。"
    shown = {m["message_id"]: m for m in world.bot_messages(admin)}[dry["message_id"]]
    assert buttons(shown) == []  # the buttons are gone once pressed

    older = upload(world, admin, PLAN, "2024要点.txt")
    dry = upload(world, admin, PLAN, "2024要点.txt")
    stale = world.press_for_answer(admin, older, buttons(older)[0][1])
    assert stale["text"] == "该试导入已失效，请重新发送文件。" and stale["show_alert"]
    [done] = world.press(admin, dry, buttons(dry)[0][1])
    example("(upload a plan document)", "zh", "[导入]", [done])
    assert done["text"].splitlines()[:5] == [
        "✅ 已导入新计划：2024 成资同城化发展2024年工作要点［工作要点2］，2 项任务，"
        "填报期 2024-01 至 2024-12",
        "新增任务 2，修改 0，停用 0，新增单位 2",
        "+ 市文化广电旅游局",
        "+ 各园区",
        "⚠ 提示 3 条：",
    ]
    plans = world.cli_json("plan", "list")
    assert [(p["year"], p["tasks"]) for p in plans] == [(2023, 3), (2024, 2)]

    # The same document again: no changes; in English.
    world.say(admin, "/lang en")
    dry = upload(world, admin, PLAN, "2024要点.txt")
    example("(upload a plan document)", "en", "[document 2024要点.txt]", [dry])
    assert dry["text"].splitlines()[0] == "📄 2024要点.txt (dry run, nothing written yet)"
    [same] = world.press(admin, dry, buttons(dry)[0][1])
    example("(upload a plan document)", "en", "[Import]", [same])
    assert same["text"].splitlines()[1] == "Same as the stored plan: no changes."

    # The CLI's limits, one line each; nothing is written.
    big = upload(world, admin, PLAN * 5, "big.txt")
    assert big["text"] == "big.txt is over 0.001 MB; not read (LEDGERBOT_IMPORT_MAX_FILE_MB)."
    fake = upload(world, admin, b"PK\x03\x04 not really a zip", "plan.docx")
    assert fake["text"].startswith("Cannot import plan.docx: ")
    assert len(fake["text"].splitlines()) == 1

    # Anyone else's document is not a plan: a contact outside a report, a stranger.
    contact = world.user("王五")
    bind(world, contact, TRANSPORT)
    not_plan = upload(world, contact, PLAN, "2024要点.txt")
    assert "2024" not in not_plan["text"] and "导入" not in not_plan["text"]
    stranger = upload(world, world.user("路人"), PLAN, "2024要点.txt")
    assert "无权" in stranger["text"]
    assert [(p["year"], p["tasks"]) for p in world.cli_json("plan", "list")] == [
        (2023, 3),
        (2024, 2),
    ]
