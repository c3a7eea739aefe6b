"""Importing parsed plans into the registry, and unit aliases and groups, on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.importing import ParsedPlan, parse_file, parse_rows, parse_text
from ledger.vocab import ContactRole, EntryState, EntryStatus, MilestoneOutcome, UnitKind
from models import (
    AuditLog,
    Contact,
    Milestone,
    MilestoneResult,
    ProgressEntry,
    Task,
    Unit,
    UnitAlias,
)
from services.audit import Actor
from services.importer import ImportRefused, ImportReport, import_plan
from services.registry import list_tasks, list_units
from services.unit_admin import UnitAdminError, add_alias, set_group
from tests.factories import make_unit
from tests.plans import plan_document, plans_dir

PLANS = plans_dir()  # ../shared/plans beside the repository (tests/plans.py)
POINTS = PLANS / "chengzi-2023-work-points.txt"
TABLE = PLANS / "chengdemeizi-2021-ten-major-tasks.txt"
NEWS = PLANS / "chengzi-2018-2022-five-year-plan-news.txt"
CLI = Actor.cli()
PINNED_2023 = {
    3: ["各县(区)"],
    6: ["市发展改革委", "市交通运输局"],
    13: ["市同城化发展工作局", "雁江区", "乐至县"],
    27: ["市委政研室(市委改革办)", "市同城化发展工作局"],
    32: ["市同城化发展工作局", "市委宣传部", "资阳新闻传媒中心"],
}
PINNED_2021 = {
    1: ["综合交通“同城同网”专项合作组"],
    6: ["成都市", "德阳市", "眉山市", "资阳市"],
    24: ["省发展改革委"],
    42: ["宣传推介氛围营造专项合作组"],
}


@pytest.fixture(autouse=True)
def plans_present() -> None:
    for document in (POINTS, TABLE, NEWS):
        plan_document(document.name)  # skips (fails in CI) with the reason when absent


def modified_points() -> str:
    """The 2023 points with task 5 reworded, task 7 dropped and a second lead on task 3."""
    text = POINTS.read_text(encoding="utf-8")
    text = text.replace("5.协同畅通公路网体系。", "5.协同畅通公路网体系(修订)。")
    text = text.replace("责任单位:各县(区),市经济", "责任单位:各县(区)、市发展改革委,市经济")
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("7."))
    end = next(i for i, line in enumerate(lines) if line.startswith("8."))
    return "\n".join(lines[:start] + lines[end:])


async def run(session: AsyncSession, parsed: ParsedPlan, source: str, **kw: int) -> ImportReport:
    await session.commit()  # end the read transaction a previous query opened
    async with session.begin():
        return await import_plan(parsed, session=session, source=source, actor=CLI, **kw)


async def count(session: AsyncSession, model: type) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_points_import_matches_parser(session: AsyncSession) -> None:
    parsed = parse_file(POINTS)
    report = await run(session, parsed, POINTS.name)
    assert report.plan["created"] and report.plan["year"] == 2023 and report.plan["tasks"] == 32
    assert report.plan["title"] == "成资同城化发展2023年工作要点"
    tasks = await list_tasks(session=session, plan_year=2023)
    assert [t.number for t in tasks] == list(range(1, 33))
    # Task 13 lists "市农业农村局、文化广电旅游局": the shared 市 prefix is left off, and the
    # same plan names 市文化广电旅游局 elsewhere, so no near-duplicate unit is created.
    assert report.short_names == [{"name": "文化广电旅游局", "unit": "市文化广电旅游局"}]
    filed = {"文化广电旅游局": "市文化广电旅游局"}
    for stored, expected in zip(tasks, parsed.tasks, strict=True):
        assert (stored.lead_units, stored.support_units) == (
            expected.lead_units,
            [filed.get(n, n) for n in expected.support_units],
        )
        assert (stored.text, stored.section) == (expected.text, expected.section)
    for number, leads in PINNED_2023.items():
        assert tasks[number - 1].lead_units == leads
    kinds = {u.name: u.kind for u in await list_units(session=session)}
    assert kinds["各县(区)"] == "collective" and kinds["市级有关部门"] == "collective"
    assert kinds["临空经济区"] == "zone" and kinds["雁江区"] == "county"
    assert {u["name"] for u in report.new_units} == set(kinds)
    assert await count(session, AuditLog) == 1


async def test_table_import_has_four_quarter_targets(session: AsyncSession) -> None:
    parsed = parse_file(TABLE)
    report = await run(session, parsed, TABLE.name)
    assert report.plan["title"] == TABLE.stem and report.plan["year"] == 2021
    tasks = await list_tasks(session=session, plan_year=2021)
    assert len(tasks) == 42
    for stored, expected in zip(tasks, parsed.tasks, strict=True):
        assert stored.lead_units == expected.lead_units
        assert stored.milestones == expected.milestones and len(stored.milestones) == 4
    for number, leads in PINNED_2021.items():
        assert tasks[number - 1].lead_units == leads
    due = await session.scalars(select(Milestone.due_date).distinct().order_by(Milestone.due_date))
    assert list(due) == [
        date(2021, 3, 31),
        date(2021, 6, 30),
        date(2021, 9, 30),
        date(2021, 12, 31),
    ]
    kinds = {u.name: u.kind for u in await list_units(session=session)}
    assert kinds["综合交通“同城同网”专项合作组"] == "working_group"
    assert kinds["成都市"] == "city"


async def test_reimport_changes_nothing(session: AsyncSession) -> None:
    parsed = parse_file(TABLE)
    await run(session, parsed, TABLE.name)
    again = await run(session, parse_file(TABLE), TABLE.name)
    assert not again.changed
    assert again.to_json_dict()["added_tasks"] == [] and again.new_units == []
    assert await count(session, AuditLog) == 1


async def test_changed_document_reports_exactly_the_changes(session: AsyncSession) -> None:
    await run(session, parse_file(POINTS), POINTS.name)
    async with session.begin():
        task7 = await session.scalar(select(Task).where(Task.number == 7))
        assert task7 is not None
        unit = await session.scalar(select(Unit).where(Unit.name == "市经济和信息化局"))
        assert unit is not None
        session.add(
            ProgressEntry(
                task_id=task7.id, unit_id=unit.id, period="2023-03", progress="已开工",
                state=EntryState.APPROVED, status=EntryStatus.ON_TRACK,
            )
        )  # fmt: skip
    report = await run(session, parse_text(modified_points()), POINTS.name)
    assert report.added_tasks == [] and report.new_units == []
    assert report.changed_tasks == [{"number": 5, "fields": ["text"]}]
    assert [t["number"] for t in report.removed_tasks] == [7]
    assert report.added_links == [{"task": 3, "unit": "市发展改革委", "role": "lead"}]
    assert report.removed_links == []
    await session.commit()
    async with session.begin():
        assert (await session.scalars(select(Task.active).where(Task.number == 7))).one() is False
        assert await count(session, ProgressEntry) == 1
    tasks = {t.number: t for t in await list_tasks(session=session, plan_year=2023)}
    assert 7 not in tasks and tasks[3].lead_units == ["各县(区)", "市发展改革委"]
    assert tasks[5].text.startswith("协同畅通公路网体系(修订)")

    back = await run(session, parse_file(POINTS), POINTS.name)
    assert back.changed_tasks == [
        {"number": 5, "fields": ["text"]},
        {"number": 7, "fields": ["active"]},
    ]
    assert back.removed_links == [{"task": 3, "unit": "市发展改革委", "role": "lead"}]


async def test_alias_before_import_maps_to_canonical_unit(session: AsyncSession) -> None:
    async with session.begin():
        await add_alias(session, name="市发展改革委", alias="市发改委", actor=CLI)
    doc = "2023年工作要点\n1.修路。\n责任单位:市发改委,市交通运输局\n"
    report = await run(session, parse_text(doc), "x.txt")
    assert [u["name"] for u in report.new_units] == ["市交通运输局"]
    assert report.added_tasks[0]["lead_units"] == ["市发展改革委"]
    names = {u.name for u in await list_units(session=session)}
    assert "市发改委" not in names


async def test_alias_merges_an_import_duplicate(session: AsyncSession) -> None:
    doc = "2023年工作要点\n1.修路。\n责任单位:市发改委,市交通运输局\n"
    await run(session, parse_text(doc), "x.txt")
    async with session.begin():
        result = await add_alias(session, name="市发展改革委", alias="市发改委", actor=CLI)
    assert result.merged_links == 1 and result.created_unit
    tasks = await list_tasks(session=session, plan_year=2023)
    assert tasks[0].lead_units == ["市发展改革委"]
    assert not (await run(session, parse_text(doc), "x.txt")).changed


async def test_alias_refusals(session: AsyncSession) -> None:
    async with session.begin():
        await add_alias(session, name="市发展改革委", alias="市发改委", actor=CLI)
        busy = await make_unit(session, "市交通局")
        session.add(Contact(telegram_user_id=7, unit_id=busy.id, role=ContactRole.CONTACT,
                            active=True, bound_at=datetime(2023, 1, 1, tzinfo=UTC)))  # fmt: skip
    cases = [
        ("市交通运输局", "市发改委", "already an alias of '市发展改革委'"),
        ("市发展改革委", "市发展改革委", "own name"),
        ("市交通运输局", "市交通局", "1 contacts"),
    ]
    for name, alias, message in cases:
        await session.rollback()
        with pytest.raises(UnitAdminError, match=message):
            async with session.begin():
                await add_alias(session, name=name, alias=alias, actor=CLI)
    assert await count(session, UnitAlias) == 1


async def test_group_replaces_members(session: AsyncSession) -> None:
    async with session.begin():
        await set_group(session, collective="各县(区)", members=["雁江区", "安岳县"], actor=CLI)
        result = await set_group(
            session, collective="各县(区)", members=["雁江区", "安岳县", "乐至县"], actor=CLI
        )
    assert result.created == ["乐至县"]
    units = {u.name: u for u in await list_units(session=session)}
    assert units["各县(区)"].kind == "collective"
    assert sorted(units["各县(区)"].members) == sorted(["雁江区", "安岳县", "乐至县"])
    assert units["安岳县"].kind == "county"
    await session.commit()
    with pytest.raises(UnitAdminError, match="collective"):
        async with session.begin():
            await make_unit(session, "市级有关部门", UnitKind.COLLECTIVE)
            await set_group(session, collective="各县(区)", members=["市级有关部门"], actor=CLI)


async def test_year_and_numbering_rules(session: AsyncSession) -> None:
    news = parse_file(NEWS)
    with pytest.raises(ImportRefused, match="pass --year YYYY"):
        await run(session, news, NEWS.name)
    report = await run(session, news, NEWS.name, year=2018)
    assert report.plan["year"] == 2018 and len(report.added_tasks) == 8
    restart = "一、交通\n1.修路。\n责任单位:市交通运输局\n二、水利\n1.建库。\n责任单位:市水务局"
    report = await run(session, parse_text(restart), "restart.txt", year=2024)
    assert [t["number"] for t in report.added_tasks] == [1, 2]
    assert any("renumbered" in w for w in report.warnings)


def _sheet(leads: str, **quarters: str) -> ParsedPlan:
    header = ["序号", "任务内容", "牵头单位", "一季度", "二季度"]
    row = ["1", "修路。", leads, quarters.get("q1", ""), quarters.get("q2", "")]
    return parse_rows([header, row], year=2023)


async def test_unit_order_and_dropped_targets(session: AsyncSession) -> None:
    await run(session, _sheet("市交通运输局、市水务局", q1="开工", q2="完工"), "s.csv")
    async with session.begin():
        q2 = await session.scalar(select(Milestone).where(Milestone.quarter == 2))
        assert q2 is not None and q2.due_date == date(2023, 6, 30)
        unit = await session.scalar(select(Unit).where(Unit.name == "市水务局"))
        assert unit is not None
        session.add(
            MilestoneResult(milestone_id=q2.id, unit_id=unit.id, outcome=MilestoneOutcome.MET,
                            submitted_at=datetime(2023, 6, 30, tzinfo=UTC))
        )  # fmt: skip
    swapped = await run(session, _sheet("市水务局、市交通运输局", q1="开工"), "s.csv")
    assert swapped.changed_tasks == [{"number": 1, "fields": ["unit_order"]}]
    assert swapped.added_links == swapped.removed_links == []
    assert any("kept" in w for w in swapped.warnings)
    assert (await list_tasks(session=session))[0].lead_units == ["市水务局", "市交通运输局"]

    fewer = await run(session, _sheet("市水务局", q1="开工前准备"), "s.csv")
    assert fewer.changed_tasks == [{"number": 1, "fields": ["milestones"]}]
    assert fewer.removed_links == [{"task": 1, "unit": "市交通运输局", "role": "lead"}]
    stored = (await list_tasks(session=session))[0]
    assert stored.lead_units == ["市水务局"]
    assert stored.milestones == {"Q1": "开工前准备", "Q2": "完工"}


async def test_short_unit_names_filed_under_registry_units(session: AsyncSession) -> None:
    """发改委-style names join the registry's unit; an ambiguous one is kept with a warning."""
    for name in ("市发展和改革委员会", "县发展和改革局", "市住房和城乡建设局"):
        await make_unit(session, name)
    await session.commit()
    text = (
        "某市2024年重点工作任务\n"
        "1.修建东环路。\n牵头单位:市发改委\n责任单位:市住建局\n"
        "2.建设公园。\n牵头单位:发改委\n责任单位:市住房城乡建设局\n"
    )
    report = await run(session, parse_text(text), "short.txt")
    assert report.short_names == [
        {"name": "市发改委", "unit": "市发展和改革委员会"},
        {"name": "市住建局", "unit": "市住房和城乡建设局"},
        {"name": "市住房城乡建设局", "unit": "市住房和城乡建设局"},
    ]
    assert report.added_tasks[0]["lead_units"] == ["市发展和改革委员会"]
    assert report.added_tasks[1]["support_units"] == ["市住房和城乡建设局"]
    assert report.new_units == [{"name": "发改委", "kind": "department"}]
    assert any(
        w.startswith("unit 发改委 may be 县发展和改革局 or 市发展和改革委员会")
        for w in report.warnings
    )


async def test_task_deadlines_are_stored_and_a_changed_one_is_reported(
    session: AsyncSession, tmp_path: Path
) -> None:
    """A 完成时限 column becomes the task's own due date (year from the plan); text that names
    no date is kept as written."""
    doc = Path(__file__).parents[1] / "ledger/importing/fixtures/shapes/jingchuan_2023_report.csv"
    await run(session, parse_file(doc), doc.name)
    rows = (
        await session.execute(
            select(Task.number, Task.due_date, Task.deadline_text).order_by(Task.number)
        )
    ).all()
    assert [tuple(r) for r in rows][:3] == [
        (1, date(2023, 12, 31), "12月底前"),
        (2, date(2023, 6, 30), "6月底前"),
        (3, date(2023, 12, 31), "年底前"),
    ]
    row = "新开工亿元以上项目30个。,赵立,县发改委,县自然资源局,"
    copy = tmp_path / doc.name
    copy.write_text(
        doc.read_text(encoding="utf-8").replace(f"{row}6月底前", f"{row}9月底前"), encoding="utf-8"
    )
    report = await run(session, parse_file(copy), doc.name)
    assert report.changed_tasks == [{"number": 2, "fields": ["deadline"]}]
