"""March to mid-April 2023: the newcomer's case. The points were issued on 2023-03-07, so only
2023-03 is owed in the first quarter.

What the points owe each month (read off the document's 责任单位 lines, units before the comma
lead; 各县(区) = 雁江区, 安岳县, 乐至县):
  tasks 1–10:  1+1+3+1+1+2+2+2+1+3 = 17
  tasks 11–20: 1+3+3+1+1+1+1+1+4+1 = 17
  tasks 21–32: 2+3+1+2+3+2+2+1+2+1+3+3 = 25      → 59 obligations, 30 units
Units owing 1: 18 (安岳县 and 17 others), 2: 6 (雁江区 3,13 · 乐至县 3,13 · 市交通运输局 5,6 ·
市水务局 8,25 · 市科学技术局 14,15 · 市自然资源规划局 19,25), 3: 2 (临空经济区, 市生态环境局),
4: 2 (市经济和信息化局, 市商务局), 6: 1 (市发展改革委), 9: 1 (市同城化发展工作局):
18 + 12 + 6 + 8 + 6 + 9 = 59.

Bound from the start: 市交通运输局 (contact T1, principal TP), 安岳县 (A1, AP), 市水务局 (W1, no
principal), 乐至县 (L1, no principal). 雁江区 never has a contact. The 2023-03 ledger is
prompted Mon 04-03 09:00, reminded 04-04 and 04-07, due at the end of Fri 04-07 (Qingming
04-05), escalated Mon 04-10, closed Mon 04-17 09:00.
"""

from __future__ import annotations

from typing import Any

from ledger.timetable import EventKind
from ledger.vocab import ContactRole, EntryStatus
from models.db import transaction
from reports.bulletin import Bulletin
from services.unit_admin import set_group
from tests.scenario.plans import (
    COUNTIES,
    COUNTY_MEMBERS,
    POINTS_CODE,
    POINTS_TITLE,
    UNBOUND_IN_ORDER,
)
from tests.scenario.year import CLI, STAFF, Year, button_labels, entries, task_lines, units

T1, TP, A1, AP, W1, W2, L1 = 1001, 1002, 1101, 1102, 1201, 1202, 1301
POINTS_PLAN = [{"code": POINTS_CODE, "title": POINTS_TITLE}]


async def set_up(y: Year) -> None:
    """10 March: 各县(区) first, then the points, then the first people bound."""
    async with transaction(y.factory) as s:
        await set_group(s, collective=COUNTIES, members=COUNTY_MEMBERS, actor=CLI)
    report = await y.import_points("2023-03-10 10:00")
    assert (report.plan["code"], report.plan["window"]) == (
        POINTS_CODE,
        {"from": "2023-03", "until": "2023-12"},
    )
    assert report.plan["tasks"] == 32
    for user, unit, role in (
        (T1, "市交通运输局", ContactRole.CONTACT),
        (TP, "市交通运输局", ContactRole.PRINCIPAL),
        (A1, "安岳县", ContactRole.CONTACT),
        (AP, "安岳县", ContactRole.PRINCIPAL),
        (W1, "市水务局", ContactRole.CONTACT),
        (L1, "乐至县", ContactRole.CONTACT),
    ):
        await y.bind(user, unit, role, "2023-03-20 10:00")
    # No plan covers January or February: nothing is owed, nothing falls back.
    for period in ("2023-01", "2023-02"):
        empty = {"period": period, "plans": [], "units": []}
        assert await y.status(period, "2023-03-20 10:00") == empty


def digest_text(*lines: str) -> str:
    return "\n".join(lines)


UNBOUND_LINE = "⚪ 未绑定填报人（需发送邀请码）：" + "、".join(UNBOUND_IN_ORDER)


async def march(y: Year) -> dict[str, Any]:
    """The 2023-03 ledger, from its prompt to its close; returns its status JSON at the close."""
    prompts = await y.fire(EventKind.LEDGER_PROMPTS, "2023-03", "2023-04-03 09:00")
    # The four bound contacts are prompted; principals are not; 26 units have nobody.
    assert sorted(m.chat_id for m in prompts) == [T1, A1, W1, L1]
    transport = next(m for m in prompts if m.chat_id == T1)
    assert task_lines(transport) == ["【工作要点】", "5", "6"]
    assert button_labels(transport) == ["5", "6"]  # one plan: no code on the buttons
    # The Monday digest at the prompt's minute: the period just opened, nothing is late yet.
    # 4 bound units have 3 working days left after today (04-04, 04-06, 04-07): not yellow.
    assert await y.digest("2023-04-03 09:00") == digest_text(
        "<b>每周台账简报</b> 2023-03（截止 2023-04-07）",
        "应报 59 · 已报 0 · 待审定 0 · 未报 59（其中逾期 0） · 迟报 0",
        "单位：应报 30 · 已报齐 0 · 逾期 0 · 临近截止 0 · 未绑定 26",
        "📣 本期台账今日开始报送，截止 2023-04-07。",
        UNBOUND_LINE,
        "⏰ 下一截止：2023-04-07",
    )

    five = await y.report(T1, 5, "2023-03", "2023-04-03 10:00")
    await y.review(TP, five, "2023-04-04 10:00")
    three = await y.report(A1, 3, "2023-03", "2023-04-04 10:00")
    await y.review(AP, three, "2023-04-04 11:00")
    six = await y.report(T1, 6, "2023-03", "2023-04-06 10:00")
    await y.report(W1, 8, "2023-03", "2023-04-06 10:00")  # no principal: counts at once
    await y.report(W1, 25, "2023-03", "2023-04-06 10:05")
    await y.review(TP, six, "2023-04-06 15:00", note="请补充客运枢纽进度数据")  # returned

    # Deadline day: reminders list only what is still missing (交通's returned 6; 乐至's 3, 13).
    reminders = await y.fire(EventKind.REMINDERS, "2023-03", "2023-04-07 09:00")
    assert {m.chat_id: m.payload["meta"]["task_numbers"] for m in reminders} == {
        T1: [6],
        L1: [3, 13],
    }
    await y.report(L1, 3, "2023-03", "2023-04-07 16:00")
    await y.report(
        L1, 13, "2023-03", "2023-04-07 16:05", status=EntryStatus.BEHIND, text="用地指标尚未落实"
    )

    # Mon 04-10: escalation and digest. Counted: 交通 1 (5) + 安岳 1 + 水务 2 + 乐至 2 = 6 of
    # 59; 交通's 6 was returned, so 53 are missing and all overdue. Complete: 安岳, 水务, 乐至.
    escalation, *told = await y.fire(EventKind.ESCALATIONS, "2023-03", "2023-04-10 09:00")
    assert escalation.chat_id == STAFF
    # The overdue unit itself is told too: 市交通运输局's contact T1 (with the task button) and
    # principal TP, each about task 6 (returned on 04-06). The 26 unbound units have neither a
    # contact nor a principal bound, so 1 + 2 = 3 rows in all.
    assert [(m.kind, m.chat_id, m.payload["meta"]["task_numbers"]) for m in told] == [
        ("ledger-overdue", T1, [6]),
        ("ledger-overdue", TP, [6]),
    ]
    assert str(told[0].payload["text"]).startswith(
        "<b>逾期通报</b>：市交通运输局 2023-03 台账已于 2023-04-07 截止，以下任务逾期未报"
    )
    assert told[0].payload["reply_markup"] and not told[1].payload["reply_markup"]
    text = str(escalation.payload["text"])
    assert text.startswith(
        "<b>逾期通报</b>：2023-03 台账已于 2023-04-07 截止，以下单位逾期未报：\n"
        "🔴 市交通运输局（1/2）\n未绑定填报人（从未收到提醒，请发送邀请码）26 个：\n"
        "⚪ 临空经济区（0/3）\n⚪ 高新区（0/1）\n⚪ 雁江区（0/2）\n⚪ 市发展改革委（0/6）\n"
    )
    assert await y.digest("2023-04-10 09:00") == digest_text(
        "<b>每周台账简报</b> 2023-03（截止 2023-04-07）",
        "应报 59 · 已报 6 · 待审定 0 · 未报 53（其中逾期 53） · 迟报 0",
        "单位：应报 30 · 已报齐 3 · 逾期 1 · 临近截止 0 · 未绑定 26",
        "🔴 逾期：市交通运输局",
        UNBOUND_LINE,
        "滞后任务：",
        "· 13 乐至县：用地指标尚未落实",
        "⏰ 下一截止：2023-05-08",  # 2023-04 is due Mon 05-08 (05-07 is a Sunday)
    )
    six = await y.report(T1, 6, "2023-03", "2023-04-11 10:00")  # re-sent after the deadline
    await y.review(TP, six, "2023-04-11 11:00")
    assert await y.fire(EventKind.PERIOD_CLOSE, "2023-03", "2023-04-17 09:00") == []
    return await check_march_status(y)


async def check_march_status(y: Year) -> dict[str, Any]:
    status = await y.status("2023-03", "2023-04-17 09:00")
    assert status["plans"] == POINTS_PLAN
    assert (len(status["units"]), sum(u["owed"] for u in status["units"])) == (30, 59)
    # counted: 交通 2 + 安岳 1 + 水务 2 + 乐至 2 = 7; bound: the same four units, one contact each
    assert sum(u["submitted"] for u in status["units"]) == 7
    assert {u["unit"] for u in status["units"] if u["contacts"]} == {
        "市交通运输局",
        "安岳县",
        "市水务局",
        "乐至县",
    }
    by_unit = units(status)
    transport = by_unit["市交通运输局"]
    assert {k: transport[k] for k in ("owed", "submitted", "contacts", "principal")} == {
        "owed": 2,
        "submitted": 2,
        "contacts": 1,
        "principal": True,
    }
    mine = entries(transport)
    # 5: sent 04-03 10:00 (02:00 UTC), approved. 6: returned, re-sent 04-11: late, approved.
    assert (mine["工作要点/5"]["submitted_at"], mine["工作要点/5"]["late"]) == (
        "2023-04-03T02:00:00+00:00",
        False,
    )
    assert (mine["工作要点/6"]["submitted_at"], mine["工作要点/6"]["late"]) == (
        "2023-04-11T02:00:00+00:00",
        True,
    )
    assert [e["approved"] for e in mine.values()] == [True, True]
    water = by_unit["市水务局"]  # no principal: counted, never "approved"
    assert (water["owed"], water["submitted"], water["principal"]) == (2, 2, False)
    assert [(e["late"], e["approved"]) for e in water["entries"]] == [(False, False)] * 2
    assert {k: by_unit["雁江区"][k] for k in ("owed", "submitted", "contacts", "entries")} == {
        "owed": 2,
        "submitted": 0,
        "contacts": 0,
        "entries": [],
    }
    return status


def ranking(b: Bulletin) -> dict[str, tuple[int, int, int, int, int]]:
    """unit → (rank, owed, on time, late, missing)."""
    return {
        r.unit.name: (r.rank, r.tally.owed, r.tally.on_time, r.tally.late, r.tally.missing)
        for r in b.ranking
    }


def lapses(b: Bulletin) -> dict[tuple[str, str], tuple[list[int], list[int]]]:
    """(period, unit) → (task numbers late, task numbers missing), over the plans' sections in
    plan order (the bulletin lists a unit's lapses once per plan)."""
    found: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for x in b.lapses:
        late, missing = found.setdefault((x.period, x.unit.name), ([], []))
        late += x.late
        missing += x.missing
    return found


def totals(b: Bulletin) -> tuple[int, int, int, int, int]:
    """(owed, reported, on time, late, missing), as the bulletin's 总体情况 states them."""
    t = b.totals()
    return t.owed, t.reported, t.on_time, t.late, t.missing


async def first_bulletin(y: Year) -> Bulletin:
    """The 2023Q1 bulletin after 2023-03 closed: only 2023-03 counts (January and February were
    never owed: the issue's 177 = 59 × 3 becomes 59)."""
    b = await y.bulletin("2023Q1", "2023-04-17 09:00")
    # reported 交通 2 + 安岳 1 + 水务 2 + 乐至 2 = 7; on time 1 + 1 + 2 + 2 = 6; late 1 (交通 6)
    assert totals(b) == (59, 7, 6, 1, 52)
    rows = ranking(b)
    assert len(rows) == 30
    # 100 %: 安岳, 乐至, 水务 share rank 1; 交通 50 % is 4th. At 0 % fewer missing ranks first:
    # the 17 silent units owing 1 share rank 5, then those missing 2 (雁江区, 市科学技术局,
    # 市自然资源规划局) rank 5 + 17 = 22.
    assert {
        name: rows[name]
        for name in ("安岳县", "乐至县", "市水务局", "市交通运输局", "雁江区", "市科学技术局")
    } == {
        "安岳县": (1, 1, 1, 0, 0),
        "乐至县": (1, 2, 2, 0, 0),
        "市水务局": (1, 2, 2, 0, 0),
        "市交通运输局": (4, 2, 1, 1, 0),
        "雁江区": (22, 2, 0, 0, 2),
        "市科学技术局": (22, 2, 0, 0, 2),
    }
    # Lapses of units that were prompted: only 交通 (late 6). 雁江区 and the 25 units nobody
    # could prompt (no bound contact) are listed apart, as 未绑定: 26 units, all in 2023-03.
    assert lapses(b) == {("2023-03", "市交通运输局"): ([6], [])}
    unbound = {(u.period, u.unit.name): u.tasks for u in b.unbound}
    assert (len(unbound), {period for period, _ in unbound}) == (26, {"2023-03"})
    assert unbound[("2023-03", "雁江区")] == ["3", "13"]
    assert unbound[("2023-03", "市同城化发展工作局")] == [
        "12", "13", "19", "26", "27", "29", "30", "31", "32",
    ]  # fmt: skip
    assert [(e.task_number, e.unit.name) for e in b.behind] == [(13, "乐至县")]
    assert b.milestones == []  # the points have no quarterly targets; the table is not owed yet
    return b
