"""A send-back carries a typed reason, through the real bot: staff's [不同意] on a 延期申请 and the
principal's or staff's [退回] on a 销号 ask why, the unit is told the reason (escaped as HTML),
the pressed message shows it and loses its buttons, the audit log keeps it; refusals: an empty
reason, someone else deciding first (a colleague's reason then changes nothing), a stale button,
someone who may not decide."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from sqlalchemy import select

from models import Closure, ExtensionRequest
from models.db import make_engine, make_session_factory
from tests.e2e.examples import example
from tests.e2e.harness import Harness, Message, buttons
from tests.e2e.seed import TRANSPORT, WATER, bind_contacts, seed
from tests.e2e.test_duban_close import PRINCIPAL, _principal
from tests.e2e.test_duban_extend import COLLEAGUE, CONTACTS, _staff
from tests.e2e.test_reminders_and_escalations import wait_for, wait_message

pytestmark = pytest.mark.e2e

SENDBACK = "(decline a 延期申请 with a reason)"
REASON = "<材料> & 附件不全"  # typed as is: must arrive as written, not as markup


async def _stored(url: str, model: type[ExtensionRequest] | type[Closure]) -> list[str | None]:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        if model is ExtensionRequest:
            found = await session.scalars(select(ExtensionRequest.decision_note))
        else:
            found = await session.scalars(select(Closure.return_reason).order_by(Closure.id))
        notes = list(found)
    await engine.dispose()
    return notes


def _edited(harness: Harness, chat: int, message_id: int, needle: str) -> bool:
    shown = next(m for m in harness.bot_messages(chat) if m["message_id"] == message_id)
    return needle in (shown.get("text") or "") and not shown.get("reply_markup")


def _button(message: Message, label: str) -> str:
    return next(data for text, data in buttons(message) if text == label)


def _start(harness: Harness, extra: int, add: Callable[[str], Coroutine[Any, Any, None]]) -> int:
    """Seed, add the extra person (`add`), create the users, start on Monday 10 April 2023."""
    seed(harness.db_url)
    bind_contacts(harness.db_url, CONTACTS)
    asyncio.run(add(harness.db_url))
    for user in (*CONTACTS.values(), extra):
        harness.control.create_user("单位人员", user_id=user)
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-10T10:00:00+08:00")
    return admin


def test_an_extension_declined_with_a_typed_reason(harness: Harness) -> None:
    admin = _start(harness, COLLEAGUE, _staff)
    contact = CONTACTS[TRANSPORT]
    harness.say(contact, "/extend 5 2023-04-14 征地协调未完成")
    request = wait_message(harness, admin, "延期申请")
    theirs = wait_message(harness, COLLEAGUE, "延期申请")
    _approve, reject = (data for _, data in buttons(request))
    # A contact pressing staff's [不同意] is refused before any reason is asked.
    assert "无权" in harness.press_for_answer(contact, request, reject)["text"]

    [ask] = harness.press(admin, request, reject)
    assert ask["text"] == f"请回复不同意延期的原因（{TRANSPORT} 任务 5）："
    [ask_colleague] = harness.press(COLLEAGUE, theirs, reject)  # both are typing
    [empty] = harness.say(admin, "   ", reply_to=ask["message_id"])
    assert empty["text"] == "请发送退回原因（文字）。"
    assert asyncio.run(_stored(harness.db_url, ExtensionRequest)) == [None]  # nothing decided

    [done] = harness.say(admin, REASON, reply_to=ask["message_id"])
    assert done["text"] == f"已告知 {TRANSPORT}：任务 5 延期申请未获同意。"
    example(SENDBACK, "zh", "[不同意]", [ask])
    example(SENDBACK, "zh", REASON, [done])
    told = wait_for(harness, contact, "延期申请未获同意")
    assert told == (
        f"延期申请未获同意：{REASON}\n{TRANSPORT} 任务 5（2023-03 台账）仍按原截止时间报送。"
    )
    harness.control.wait_until(
        lambda: _edited(harness, admin, request["message_id"], f"❌ 不同意延期：{REASON}"), 30
    )
    # The colleague's reason comes second: refused, the first decision stands.
    [late] = harness.say(COLLEAGUE, "另一个原因", reply_to=ask_colleague["message_id"])
    assert late["text"] == "该延期申请已处理，无需重复操作。"
    # A stale [不同意] is refused at the press; no reason is asked.
    assert harness.press_for_answer(COLLEAGUE, theirs, reject)["text"] == (
        "该延期申请已处理，无需重复操作。"
    )
    assert asyncio.run(_stored(harness.db_url, ExtensionRequest)) == [REASON]
    [audit] = harness.say(admin, f"/audit {TRANSPORT}")
    assert "extension.reject" in audit["text"] and f'"reason": "{REASON}"' in audit["text"]


def test_a_closing_sent_back_by_the_principal_then_by_staff_with_reasons(
    harness: Harness,
) -> None:
    admin = _start(harness, PRINCIPAL, _principal)
    contact = CONTACTS[TRANSPORT]
    harness.say(contact, "/report 5 已完成 成渝高速扩容控制性工程已开工")
    wait_message(harness, PRINCIPAL, "待审定")
    harness.say(contact, "/close 5")
    request = wait_message(harness, PRINCIPAL, "销号申请")
    no = _button(request, "退回")
    # Staff cannot send back the principal's step; a contact of another unit neither.
    assert "无权" in harness.press_for_answer(admin, request, no)["text"]
    assert "无权" in harness.press_for_answer(CONTACTS[WATER], request, no)["text"]

    [ask] = harness.press(PRINCIPAL, request, no)
    assert ask["text"] == f"请回复退回销号申请的原因（{TRANSPORT} 任务 5）："
    # The principal is told as one of the unit: that message is their only answer.
    [told_principal] = harness.say(PRINCIPAL, "请补充竣工验收材料", reply_to=ask["message_id"])
    expected = f"销号申请被退回：请补充竣工验收材料\n{TRANSPORT} 任务 5 请继续按期报送。"
    assert told_principal["text"] == expected
    assert wait_for(harness, contact, "销号申请被退回") == expected
    harness.control.wait_until(
        lambda: _edited(harness, PRINCIPAL, request["message_id"], "↩️ 已退回：请补充竣工验收材料"),
        30,
    )

    # Asked again: the principal approves, staff send it back.
    before = len(harness.bot_messages(PRINCIPAL))
    [again] = harness.say(contact, "/close 5")
    assert again["text"] == "已提交任务 5 销号申请，等待审核。"
    [second] = harness.control.wait_for_messages(PRINCIPAL, before + 1)[before:]
    harness.press_for_answer(
        PRINCIPAL, second, next(d for t, d in buttons(second) if t == "同意销号")
    )
    confirm = wait_message(harness, admin, "销号待确认")
    [ask_staff] = harness.press(admin, confirm, next(d for t, d in buttons(confirm) if t == "退回"))
    [done] = harness.say(admin, REASON, reply_to=ask_staff["message_id"])
    assert done["text"] == f"已告知 {TRANSPORT}：任务 5 销号申请已退回。"
    assert wait_for(harness, contact, f"销号申请被退回：{REASON}") == (
        f"销号申请被退回：{REASON}\n{TRANSPORT} 任务 5 请继续按期报送。"
    )
    harness.control.wait_until(
        lambda: _edited(harness, admin, confirm["message_id"], f"↩️ 已退回：{REASON}"), 30
    )
    assert asyncio.run(_stored(harness.db_url, Closure)) == ["请补充竣工验收材料", REASON]
