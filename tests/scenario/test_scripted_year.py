"""The scripted year of issue 10 on SQLite and PostgreSQL, through the real services.

The 2023 points (the real document, owed from 2023-03) and a table of our own (owed from
2023-04) side by side; a contact handed over in May, a unit paused from July to September,
units without principal or contact, late, corrected and returned entries, milestone answers.
Every expected figure is worked out by hand in the phase modules (first_quarter,
second_quarter). Then, with 2023-03 … 2023-06 closed, the table is re-imported changed and
another unit is paused: what the closed periods show must not move, down to the bytes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ledger.timetable import EventKind
from tests.conftest import missing_component
from tests.scenario import first_quarter, second_quarter
from tests.scenario.closed import (
    byte_differences,
    closed_figures,
    comparable,
    differences,
    one_tick_later,
    shows_unbound,
)
from tests.scenario.first_quarter import A1, L1, T1, W2
from tests.scenario.plans import POINTS, TEN_CHANGED
from tests.scenario.year import Year, task_lines, units

P, X = second_quarter.P, second_quarter.X


async def test_scripted_year(session_factory: async_sessionmaker[AsyncSession]) -> None:
    if not POINTS.is_file():
        missing_component(f"the 2023 points are not at {POINTS}: see ../shared/plans")
    y = Year(session_factory)
    await first_quarter.set_up(y)
    march = await first_quarter.march(y)
    q1_at_close = await first_quarter.first_bulletin(y)
    await second_quarter.import_the_table(y)
    await second_quarter.april(y)
    await second_quarter.may(y)
    await second_quarter.june(y)
    await second_quarter.second_bulletin(y)
    await second_quarter.scorecard(y)

    before = await closed_figures(y, "2023-07-18 10:00")
    # Three months of later work changed nothing in the first quarter.
    assert (before.statuses["2023-03"], comparable(before.bulletins["2023Q1"])) == (
        march,
        comparable(q1_at_close),
    )

    # 07-20: the table again, task 4 handed to 市住房城乡建设局 and a task 6 added; 安岳县 paused.
    report = await y.import_ten(TEN_CHANGED, "2023-07-20 10:00")
    assert [t["number"] for t in report.added_tasks] == [6]
    assert {(x["task"], x["unit"]) for x in report.added_links} == {(4, "市住房城乡建设局")}
    assert {(x["task"], x["unit"]) for x in report.removed_links} == {(4, "市交通运输局")}
    assert report.obligations == {}  # every period written so far is closed
    await y.pause("安岳县", date(2023, 7, 20), None, "2023-07-20 10:00")

    await one_tick_later(before)
    # Rendered as of the same moment as before, so the stamp and the "截至" date are equal: any
    # difference would be the re-import or the pause leaking into closed periods.
    after = await closed_figures(y, "2023-07-18 10:00")
    assert differences(before.statuses, after.statuses) == []
    assert differences(before.bulletins, after.bulletins) == []
    assert differences(before.scores, after.scores) == []

    # The changes count from the next period on: 2023-07 opens Tue 08-01.
    prompts = {
        m.chat_id: m for m in await y.fire(EventKind.LEDGER_PROMPTS, "2023-07", "2023-08-01 09:00")
    }
    assert sorted(prompts) == [T1, W2]  # 安岳县 and 乐至县 are paused
    assert task_lines(prompts[T1]) == [f"【{P}】", "5", "6", f"【{X}】", "5", "6"]
    july = await y.status("2023-07", "2023-08-01 09:00")
    # points 59 − 乐至 2 − 安岳 1 = 56; table: 2 高新区, 3 水务, 4 住建局, 5 and 6 交通 = 5
    assert sum(u["owed"] for u in july["units"]) == 61
    assert units(july)["市住房城乡建设局"]["owed"] == 1
    # 2023-09 opens Sat 10-07, after 乐至县's pause (until 09-30); 安岳县 is still paused.
    september = units(await y.status("2023-09", "2023-10-07 09:00"))
    assert (september["乐至县"]["owed"], "安岳县" in september) == (2, False)
    assert A1 != L1  # both were bound all year; neither was prompted above

    # The documents: units nobody could prompt shown apart in the bulletin (Q1: the 26 units
    # without a contact; Q2: the same 26), and every closed-period file unchanged to the byte.
    problems = []
    for quarter in ("2023Q1", "2023Q2"):
        for kind in ("docx", "xlsx"):
            name = f"bulletin-{quarter}.{kind}"
            problems += shows_unbound(name, before.files[name], "雁江区", 26)
    problems += byte_differences(before.files, after.files)
    assert not problems, "\n".join(problems)
