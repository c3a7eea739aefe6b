"""April to mid-July 2023: two plans side by side.

The table (十件大事, issued 2023-04-12, owed from 2023-04) adds 5 obligations a month: task 1
安岳县, 2 高新区, 3 市水务局, 4 and 5 市交通运输局 — so 2023-04 and 2023-05 owe 59 + 5 = 64.
乐至县 is paused from 07-01 to 09-30: 2023-06 opens on Mon 07-03, inside the pause, so it owes
64 − 2 = 62. The quarter owes 64 + 64 + 62 = 190.

Each month 市交通运输局 owes 工作要点/5, 工作要点/6, 十件大事/4, 十件大事/5 (task 5 twice);
安岳县 工作要点/3, 十件大事/1; 市水务局 工作要点/8, 工作要点/25, 十件大事/3; 乐至县 and 雁江区
工作要点/3, 13.
市水务局's contact is handed over in May: W1 unbound 05-10, W2 bound 05-15.
Deadlines: 2023-04 end of Mon 05-08, 2023-05 end of Wed 06-07, 2023-06 end of Fri 07-07; the
Q2 milestone check is due at the end of Fri 06-30. Closings: 05-16, 06-15, 07-17.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.timetable import EventKind
from ledger.vocab import ContactRole, EntryStatus, MilestoneOutcome
from reports.bulletin import Bulletin
from reports.scorecard import ScoreRow
from services.reporting import AmbiguousTask
from tests.scenario.first_quarter import (
    A1,
    AP,
    L1,
    POINTS_PLAN,
    T1,
    TP,
    W1,
    W2,
    lapses,
    ranking,
    totals,
)
from tests.scenario.plans import TEN, TEN_CODE, TEN_TITLE
from tests.scenario.year import Year, button_labels, entries, task_lines, units

P, X = "工作要点", TEN_CODE
BOTH_PLANS = [*POINTS_PLAN, {"code": X, "title": TEN_TITLE}]


async def import_the_table(y: Year) -> None:
    report = await y.import_ten(TEN, "2023-04-12 10:00")
    assert (report.plan["code"], report.plan["window"]) == (
        X,
        {"from": "2023-04", "until": "2023-12"},
    )


async def april(y: Year) -> dict[str, Any]:
    prompts = {
        m.chat_id: m for m in await y.fire(EventKind.LEDGER_PROMPTS, "2023-04", "2023-05-04 09:00")
    }
    assert sorted(prompts) == [T1, A1, W1, L1]
    # Grouped by plan, in import order; the buttons name the plan when there are two.
    assert task_lines(prompts[T1]) == [f"【{P}】", "5", "6", f"【{X}】", "4", "5"]
    assert button_labels(prompts[T1]) == [f"{P}/5", f"{P}/6", f"{X}/4", f"{X}/5"]
    assert task_lines(prompts[A1]) == [f"【{P}】", "3", f"【{X}】", "1"]
    assert task_lines(prompts[W1]) == [f"【{P}】", "8", "25", f"【{X}】", "3"]
    assert task_lines(prompts[L1]) == [f"【{P}】", "3", "13"]  # one plan: no code on buttons
    assert button_labels(prompts[L1]) == ["3", "13"]

    with pytest.raises(AmbiguousTask) as ambiguous:  # `/report 5 …`: which plan?
        await y.report(T1, 5, "2023-04", "2023-05-05 10:00")
    assert [code for _, code, _ in ambiguous.value.options] == [P, X]
    transport = [
        await y.report(T1, 5, "2023-04", "2023-05-05 10:00", code=X),
        await y.report(T1, 5, "2023-04", "2023-05-05 10:05", code=P),
        await y.report(T1, 4, "2023-04", "2023-05-05 10:10"),  # only 十件大事 has a 4
        await y.report(T1, 6, "2023-04", "2023-05-05 10:15"),  # only 工作要点 has a 6
    ]
    anyue = [
        await y.report(A1, 3, "2023-04", "2023-05-05 10:00"),
        await y.report(A1, 1, "2023-04", "2023-05-05 10:05"),
    ]
    await y.report(W1, 8, "2023-04", "2023-05-05 10:00")
    for entry in transport:
        await y.review(TP, entry, "2023-05-06 09:00")  # Saturday 05-06 is a working day
    for entry in anyue:
        await y.review(AP, entry, "2023-05-06 09:30")
    await y.report(L1, 3, "2023-04", "2023-05-08 20:00")  # 13 is never sent

    # A correction after the deadline keeps the on-time timing of the first counted version.
    correction = await y.report(T1, 5, "2023-04", "2023-05-10 10:00", code=P, text="更正数据")
    await y.review(TP, correction, "2023-05-10 11:00")
    # The contact of 市水务局 is handed over: nobody is bound between 05-10 and 05-15.
    await y.unbind(W1, "市水务局", "2023-05-10 12:00")
    water = units(await y.status("2023-04", "2023-05-12 10:00"))["市水务局"]
    assert (water["contacts"], water["owed"], water["submitted"]) == (0, 3, 1)
    await y.bind(W2, "市水务局", ContactRole.CONTACT, "2023-05-15 09:30")
    await y.report(W2, 25, "2023-04", "2023-05-15 10:00")  # late, like the next one
    await y.report(W2, 3, "2023-04", "2023-05-15 10:05")
    assert await y.fire(EventKind.PERIOD_CLOSE, "2023-04", "2023-05-16 09:00") == []

    status = await y.status("2023-04", "2023-05-16 09:00")
    assert status["plans"] == BOTH_PLANS
    assert (len(status["units"]), sum(u["owed"] for u in status["units"])) == (30, 64)
    # counted: 交通 4 + 安岳 2 + 水务 3 + 乐至 1 = 10
    assert sum(u["submitted"] for u in status["units"]) == 10
    by_unit = units(status)
    assert (by_unit["市水务局"]["contacts"], by_unit["市水务局"]["submitted"]) == (1, 3)
    water_entries = entries(by_unit["市水务局"])
    assert {k: e["late"] for k, e in water_entries.items()} == {
        f"{P}/8": False,
        f"{P}/25": True,
        f"{X}/3": True,
    }
    mine = entries(by_unit["市交通运输局"])
    assert sorted(mine) == [f"{X}/4", f"{X}/5", f"{P}/5", f"{P}/6"]
    assert {k: e["plan"] for k, e in mine.items()} == {k: k.split("/")[0] for k in mine}
    corrected = mine[f"{P}/5"]  # the current version is the correction, sent 05-10 02:00 UTC
    assert (corrected["text"], corrected["submitted_at"]) == (
        "更正数据",
        "2023-05-10T02:00:00+00:00",
    )
    assert (corrected["late"], corrected["approved"]) == (False, True)
    assert (by_unit["乐至县"]["owed"], by_unit["乐至县"]["submitted"]) == (2, 1)
    return status


async def may(y: Year) -> dict[str, Any]:
    prompts = await y.fire(EventKind.LEDGER_PROMPTS, "2023-05", "2023-06-01 09:00")
    assert sorted(m.chat_id for m in prompts) == [T1, A1, W2, L1]  # W2, not W1
    for number, when in ((3, "2023-06-01 10:00"), (1, "2023-06-01 10:05")):
        await y.review(AP, await y.report(A1, number, "2023-05", when), "2023-06-01 11:00")
    for number, code, when in ((5, X, "10:00"), (5, P, "10:05"), (6, P, "10:10")):
        entry = await y.report(T1, number, "2023-05", f"2023-06-02 {when}", code=code)
        await y.review(TP, entry, "2023-06-02 11:00")
    await y.report(T1, 4, "2023-05", "2023-06-02 10:30")  # left waiting for 审定
    for number, code in ((8, P), (25, P), (3, X)):
        await y.report(W2, number, "2023-05", "2023-06-05 10:00", code=code)
    await y.report(L1, 3, "2023-05", "2023-06-07 10:00")
    await y.report(L1, 13, "2023-05", "2023-06-07 10:05")

    # Mid-quarter: 2023-06 is not due yet, so only 2023-04 and 2023-05 count (64 + 64 = 128).
    # reported 交通 4+4 (the waiting one included) + 安岳 2+2 + 水务 3+3 + 乐至 1+2 = 21;
    # on time 8 + 4 + (1+3) + 3 = 19; late 2 (水务 25 and 3 in April); missing 128 − 21 = 107.
    middle = await y.bulletin("2023Q2", "2023-06-08 10:00")
    assert totals(middle) == (128, 21, 19, 2, 107)
    # Prompted units' lapses: only 水务's two late April reports; in May every prompted unit
    # reported on time (交通's waiting 十件大事/4 was sent 06-02). The rest is 未绑定.
    assert {period for period, _ in lapses(middle)} == {"2023-04"}
    assert middle.milestones == []  # the Q2 check is not due before the end of 06-30

    assert await y.fire(EventKind.PERIOD_CLOSE, "2023-05", "2023-06-15 09:00") == []
    status = await y.status("2023-05", "2023-06-15 09:00")
    transport = units(status)["市交通运输局"]
    assert (transport["owed"], transport["submitted"]) == (4, 3)  # 十件大事/4 awaits 审定
    waiting = entries(transport)[f"{X}/4"]
    assert (waiting["late"], waiting["approved"]) == (False, False)
    return status


async def june(y: Year) -> dict[str, Any]:
    await y.pause("乐至县", date(2023, 7, 1), date(2023, 9, 30), "2023-06-20 10:00")
    assert not await y.answer(T1, 4, 2, MilestoneOutcome.MET, "2023-06-26 10:00")
    assert not await y.answer(A1, 1, 2, MilestoneOutcome.MET, "2023-06-27 10:00")
    prompts = await y.fire(EventKind.LEDGER_PROMPTS, "2023-06", "2023-07-03 09:00")
    assert sorted(m.chat_id for m in prompts) == [T1, A1, W2]  # 乐至县 is paused
    for number, when in ((3, "2023-07-03 10:00"), (1, "2023-07-03 10:05")):
        await y.review(AP, await y.report(A1, number, "2023-06", when), "2023-07-03 11:00")
    for number, code, when in ((5, P, "10:00"), (4, X, "10:10"), (5, X, "10:15")):
        entry = await y.report(T1, number, "2023-06", f"2023-07-04 {when}", code=code)
        await y.review(TP, entry, "2023-07-04 11:00")
    behind = await y.report(
        T1,
        6,
        "2023-06",
        "2023-07-04 10:05",
        status=EntryStatus.BEHIND,
        text="资阳北站枢纽方案调整",
        problems="征地拆迁滞后",
    )
    await y.review(TP, behind, "2023-07-04 11:00")
    await y.report(W2, 8, "2023-06", "2023-07-05 10:00")
    await y.report(W2, 25, "2023-06", "2023-07-05 10:05")  # 十件大事/3 is never sent
    # A Q2 answer given in July is late against Q2's own deadline (end of 06-30).
    assert await y.answer(T1, 5, 2, MilestoneOutcome.PARTLY, "2023-07-10 10:00")
    assert await y.fire(EventKind.PERIOD_CLOSE, "2023-06", "2023-07-17 09:00") == []

    status = await y.status("2023-06", "2023-07-17 09:00")
    assert status["plans"] == BOTH_PLANS
    assert (len(status["units"]), sum(u["owed"] for u in status["units"])) == (29, 62)
    assert "乐至县" not in units(status)
    return status


async def second_bulletin(y: Year) -> Bulletin:
    b = await y.bulletin("2023Q2", "2023-07-18 10:00")
    # reported: 交通 4 × 3 = 12, 安岳 2 × 3 = 6, 水务 3 + 3 + 2 = 8, 乐至 1 + 2 = 3 → 29;
    # on time 12 + 6 + (1 + 3 + 2) + 3 = 27; late 2; missing 190 − 29 = 161.
    assert totals(b) == (190, 29, 27, 2, 161)
    rows = ranking(b)
    # 交通 12/12 and 安岳 6/6 share rank 1; 乐至 3/4 = 75 % is 3rd; 水务 6/9 = 66.7 % 4th. At
    # 0 %: the 16 silent units owing 1 a month (3) share rank 5; those missing 6 — 雁江区,
    # 高新区 (2 a month since April), 市科学技术局, 市自然资源规划局 — rank 5 + 16 = 21.
    assert {
        n: rows[n] for n in ("市交通运输局", "安岳县", "乐至县", "市水务局", "雁江区", "高新区")
    } == {
        "市交通运输局": (1, 12, 12, 0, 0),
        "安岳县": (1, 6, 6, 0, 0),
        "乐至县": (3, 4, 3, 0, 1),
        "市水务局": (4, 9, 6, 2, 1),
        "雁江区": (21, 6, 0, 0, 6),
        "高新区": (21, 6, 0, 0, 6),
    }
    found = lapses(b)
    # Prompted units' lapses: 乐至 (04: 13 missing), 水务 (04: 25 and 3 late; 06: 3 missing).
    assert found == {
        ("2023-04", "乐至县"): ([], [13]),
        ("2023-04", "市水务局"): ([25, 3], []),  # 工作要点/25, 十件大事/3
        ("2023-06", "市水务局"): ([], [3]),
    }
    # Apart, as 未绑定: the 25 silent units and 雁江区, each of the 3 months: 78 lines.
    unbound = {(u.period, u.unit.name): u.tasks for u in b.unbound}
    assert len(unbound) == 78
    assert unbound[("2023-05", "高新区")] == ["工作要点/2", "十件大事/2"]
    assert [(e.task_number, e.unit.name, e.period, e.problems) for e in b.behind] == [
        (6, "市交通运输局", "2023-06", "征地拆迁滞后")
    ]
    answers = {
        (c.task.number, u.name): outcome
        for c in b.milestones
        for u, (outcome, _) in c.answers.items()
    }
    assert answers == {
        (1, "安岳县"): MilestoneOutcome.MET,
        (2, "高新区"): None,
        (3, "市水务局"): None,
        (4, "市交通运输局"): MilestoneOutcome.MET,
        (5, "市交通运输局"): MilestoneOutcome.PARTLY,
    }
    return b


def score_table(rows: list[ScoreRow]) -> dict[str, tuple[int, tuple[int, ...], float | None]]:
    """unit → (rank, (owed, reported, on time, approved, milestones due), score)."""
    return {
        r.unit.name: (
            r.rank,
            (
                r.tally.owed,
                r.tally.reported,
                r.tally.on_time,
                r.tally.approved,
                r.tally.milestones_due,
            ),
            r.score.total,
        )
        for r in rows
    }


async def scorecard(y: Year) -> list[ScoreRow]:
    """The 2023 scorecard through June: 2023-03 (59) + Q2 (190) = 249 obligations; Q2 milestones.

    Weights 0.4 on time, 0.3 completeness, 0.1 approval, 0.2 milestones (partly = 0.5):
      安岳县  7 owed, 7 on time, 7 approved, 1 met of 1          → 100.0
      交通    14 owed (2 + 12), 14 reported, 13 on time, 13 approved (2 + 4 + 3 + 4), met 1 and
              partly 1 of 2: 100 × (0.4·13/14 + 0.3 + 0.1·13/14 + 0.2·0.75) = 91.43 → 91.4
      乐至县  6 owed (2 + 4), 5 reported and on time, 0 approved, no milestone:
              100 × (0.4·5/6 + 0.3·5/6 + 0.1·0) / 0.8 = 72.92 → 72.9
      水务    11 owed (2 + 9), 10 reported, 8 on time, 0 approved, 1 unanswered:
              100 × (0.4·8/11 + 0.3·10/11 + 0.1·0 + 0.2·0) = 56.36 → 56.4
      雁江区, 高新区 and the 24 other silent units: 0.0, rank 5.
    """
    rows = await y.scorecard("2023-06", "2023-07-18 10:00")
    table = score_table(rows)
    assert (len(table), sum(r.tally.owed for r in rows)) == (30, 249)
    assert {
        n: table[n] for n in ("安岳县", "市交通运输局", "乐至县", "市水务局", "雁江区", "高新区")
    } == {
        "安岳县": (1, (7, 7, 7, 7, 1), 100.0),
        "市交通运输局": (2, (14, 14, 13, 13, 2), 91.4),
        "乐至县": (3, (6, 5, 5, 0, 0), 72.9),
        "市水务局": (4, (11, 10, 8, 0, 1), 56.4),
        "雁江区": (5, (8, 0, 0, 0, 0), 0.0),
        "高新区": (5, (7, 0, 0, 0, 1), 0.0),
    }
    assert sum(1 for rank, _, _ in table.values() if rank == 5) == 26
    return rows
