"""Writes from the Mini App on both databases: the form submits every task at once through the
chat's services (versions, lateness, 审定, audit with the Mini App as origin), bad input changes
nothing, and 审定 approves or returns; every message that follows goes through the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditLog, OutboxMessage, ProgressEntry
from tests.webapp.conftest import Api, MakeApi
from tests.webapp.world import (
    AFTER_DUE,
    BEFORE_DUE,
    CONTACT,
    CONTACT_2,
    PRINCIPAL,
    STAFF,
    TRANSPORT,
    seed,
)  # fmt: skip


async def _rows(api: Api) -> dict[str, Any]:
    async def read(session: AsyncSession) -> dict[str, Any]:
        entries = (await session.scalars(select(ProgressEntry).order_by(ProgressEntry.id))).all()
        outbox = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        audit = (await session.scalars(select(AuditLog).order_by(AuditLog.id))).all()
        return {
            "entries": [(e.task_id, e.version, e.state.value, e.late, e.reporter_user_id)
                        for e in entries],
            "outbox": [(m.kind, m.chat_id, m.payload["text"].split("\n")[0]) for m in outbox],
            "audit": [(a.action, a.via, a.actor_user_id, a.target) for a in audit],
        }  # fmt: skip

    return await api.run(read)


def items(ids: dict[str, int], *numbers: str) -> list[dict[str, Any]]:
    return [
        {"task_id": ids[n], "status": "on_track", "progress": f"任务{n}进展", "problems": "无",
         "next_steps": "继续推进"}
        for n in numbers
    ]  # fmt: skip


async def test_a_contact_submits_two_tasks_and_the_principal_reviews_them(
    make_api: MakeApi,
) -> None:
    api = await make_api(BEFORE_DUE)
    ids = await api.run(seed)
    status, form = await api.get("form?period=2023-05", CONTACT)
    assert status == 200 and [t["number"] for t in form["units"][0]["tasks"]] == [5, 6]
    status, body = await api.post("form?period=2023-05", CONTACT, {"items": items(ids, "5", "6")})
    assert status == 201, body
    assert [(s["number"], s["version"], s["state"], s["late"]) for s in body["stored"]] == [
        (5, 1, "submitted", False), (6, 1, "submitted", False)
    ]  # fmt: skip
    rows = await _rows(api)
    assert rows["entries"] == [
        (ids["5"], 1, "submitted", False, CONTACT), (ids["6"], 1, "submitted", False, CONTACT)
    ]  # fmt: skip
    assert rows["outbox"] == [
        ("approval-request", PRINCIPAL, f"<b>待审定</b> {TRANSPORT} 2023-05 任务 5（第1版）"),
        ("approval-request", PRINCIPAL, f"<b>待审定</b> {TRANSPORT} 2023-05 任务 6（第1版）"),
    ]
    assert rows["audit"] == [
        ("entry.submit", "mini_app", CONTACT, f"{TRANSPORT}/5/2023-05"),
        ("entry.submit", "mini_app", CONTACT, f"{TRANSPORT}/6/2023-05"),
    ]

    _, queue = await api.get("reviews", PRINCIPAL)
    waiting = {e["task"]["number"]: e["entry"]["id"] for e in queue["entries"]}
    assert sorted(waiting) == [5, 6]
    assert queue["entries"][0]["changed"] == ["status", "progress", "problems", "next_steps"]
    status, body = await api.post(f"entries/{waiting[5]}/approve", PRINCIPAL, {})
    assert (status, body["state"]) == (200, "approved")
    status, body = await api.post(f"entries/{waiting[6]}/return", PRINCIPAL, {"reason": "数据不全"})
    assert (status, body["state"]) == (200, "returned")
    rows = await _rows(api)
    assert rows["outbox"][2:] == [
        ("review-outcome", CONTACT, "任务 5（2023-05）已审定通过。"),
        ("review-outcome", CONTACT, "任务 6（2023-05）被退回修改，原因：数据不全"),
    ]
    assert [a[:3] for a in rows["audit"][2:]] == [
        ("entry.approve", "mini_app", PRINCIPAL), ("entry.return", "mini_app", PRINCIPAL)
    ]  # fmt: skip
    _, form = await api.get("form?period=2023-05", CONTACT)
    last = {t["number"]: t["last"] for t in form["units"][0]["tasks"]}
    assert (last[6]["state"], last[6]["review_note"], last[6]["progress"]) == (
        "returned", "数据不全", "任务6进展"
    )  # fmt: skip
    assert (await api.post(f"entries/{waiting[5]}/approve", PRINCIPAL, {}))[0] == 409


async def test_a_report_after_the_deadline_is_late(make_api: MakeApi) -> None:
    api = await make_api(AFTER_DUE)
    ids = await api.run(seed)
    status, body = await api.post("form?period=2023-05", CONTACT_2, {"items": items(ids, "8")})
    assert status == 201 and body["stored"][0]["late"] is True
    assert body["stored"][0]["state"] == "accepted"  # no principal: it counts at once
    assert (await _rows(api))["outbox"] == []


async def test_bad_input_gets_one_line_and_changes_nothing(make_api: MakeApi) -> None:
    api = await make_api(BEFORE_DUE)
    ids = await api.run(seed)
    good, other_units = items(ids, "5"), items(ids, "8")
    empty = [{**good[0], "progress": "  "}]
    cases = [
        ({"items": []}, "send {'items': [...]} with 1 to 200 tasks"),
        ({"items": empty}, f"task {ids['5']}: 进展情况 (progress) is empty"),
        ({"items": [{**good[0], "status": "maybe"}]}, None),
        ({"items": good + other_units}, "任务 8 不属于您单位本期的填报任务，请用 /tasks 查看。"),
    ]
    for body, message in cases:
        status, answer = await api.post("form?period=2023-05", CONTACT, body)
        assert status == 400, answer
        assert message is None or answer["error"] == message
        assert "\n" not in answer["error"]
    status, answer = await api.post("form?period=2023-13", CONTACT, {"items": good})
    assert status == 400
    status, answer = await api.post("form", CONTACT, {"items": [{**good[0], "task_id": 999}]})
    assert (status, answer) == (400, {"error": "no task with id 999"})
    assert await _rows(api) == {"entries": [], "outbox": [], "audit": []}


async def test_nobody_reviews_another_units_entry_or_their_own(make_api: MakeApi) -> None:
    api = await make_api(BEFORE_DUE)
    ids = await api.run(seed)
    _, body = await api.post("form?period=2023-05", CONTACT_2, {"items": items(ids, "6")})
    entry = body["stored"][0]["entry_id"]
    status, answer = await api.post(f"entries/{entry}/approve", PRINCIPAL, {})
    assert (status, answer) == (403, {"error": "您无权审定该条目。"})
    assert (await api.post(f"entries/{entry}/approve", STAFF, {}))[0] == 403
    status, answer = await api.post(f"entries/{entry}/return", PRINCIPAL, {})
    assert status == 400 and answer["error"] == "请发送文字内容。"
