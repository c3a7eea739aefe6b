"""`ledgerbot import`, `template`, `units alias` and `units group` against a real database."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from ledger.importing import parse_file
from ledgerbot.cli import app
from ledgerbot.progress import progress_lines
from models import Base
from models.db import make_engine
from services import importer
from tests.plans import plan_document
from tests.services.test_importer import (
    NEWS,
    PINNED_2021,
    PINNED_2023,
    POINTS,
    TABLE,
    modified_points,
)

runner = CliRunner()
# The 2021 table, as the document reads (its ten 十件大事 and its first task).
TABLE_SECTIONS = [
    ("一", "全力推进重大基础设施项目建设"),
    ("二", "加快推进“三区三带”建设"),
    ("三", "打造交界地带融合发展先行示范区"),
    ("四", "编制出台成德眉资同城化综合试验区方案"),
    ("五", "激活生态文化资源打造文旅体新场景"),
    ("六", "建立都市圈干部常态化交流和培训机制"),
    ("七", "共享都市圈开放型平台功能"),
    ("八", "建立政务事项同城通办和同城化民生实事“两张清单”"),
    ("九", "打破数据壁垒共建都市大脑"),
    ("十", "举办都市圈论坛发布高质量发展评价指标体系"),
]
TABLE_TASK_1 = "加快建设市域铁路成资S3线,力争年内开工建设成德S11线、成眉S5主线、成都外环铁路。"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> str:
    for document in (POINTS, TABLE, NEWS):
        plan_document(document.name)  # skips (fails in CI) with the reason when absent
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGERBOT_DATABASE_URL", db_url)
    monkeypatch.delenv("LEDGERBOT_TELEGRAM_TOKEN", raising=False)
    return db_url


def snapshot(url: str) -> dict[str, list[str]]:
    """Every row of every table, to prove that a failed command wrote nothing."""

    async def _read() -> dict[str, list[str]]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                return {
                    table.name: sorted(map(repr, await connection.execute(select(table))))
                    for table in Base.metadata.sorted_tables
                }
        finally:
            await engine.dispose()

    return asyncio.run(_read())


def ok(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(*args: str) -> Any:
    return json.loads(ok(*args, "--json").stdout)


def test_seed_plans_import_and_list(cli_env: str) -> None:
    assert "new plan 2023" in ok("import", str(POINTS)).stdout
    report = as_json("import", str(TABLE))
    assert report["plan"]["tasks"] == 42 and len(report["added_tasks"]) == 42

    tasks_2023 = as_json("tasks", "--plan", "2023")
    assert [t["number"] for t in tasks_2023] == list(range(1, 33))
    parsed = parse_file(POINTS)
    assert [t["lead_units"] for t in tasks_2023] == [t.lead_units for t in parsed.tasks]
    for number, leads in PINNED_2023.items():
        assert tasks_2023[number - 1]["lead_units"] == leads

    tasks_2021 = as_json("tasks", "--plan", "2021")
    assert len(tasks_2021) == 42
    assert all(list(t["milestones"]) == ["Q1", "Q2", "Q3", "Q4"] for t in tasks_2021)
    for number, leads in PINNED_2021.items():
        assert tasks_2021[number - 1]["lead_units"] == leads
    county = as_json("tasks", "--plan", "2023", "--unit", "各县(区)")
    assert 3 in [t["number"] for t in county]

    kinds = {u["name"]: u["kind"] for u in as_json("units")}
    assert kinds["各县(区)"] == "collective"
    assert kinds["综合交通“同城同网”专项合作组"] == "working_group"


def test_reimport_and_changed_copy(cli_env: str, tmp_path: Path) -> None:
    ok("import", str(POINTS))
    again = ok("import", str(POINTS)).stdout
    assert "no changes" in again
    copy = tmp_path / POINTS.name  # same file name: the same plan, a newer version
    copy.write_text(modified_points(), encoding="utf-8")
    report = as_json("import", str(copy))
    assert report["changed_tasks"] == [{"number": 5, "fields": ["text"]}]
    assert [t["number"] for t in report["removed_tasks"]] == [7]
    assert report["added_links"] == [{"task": 3, "unit": "市发展改革委", "role": "lead"}]
    assert report["added_tasks"] == report["removed_links"] == report["new_units"] == []
    numbers = [t["number"] for t in as_json("tasks", "--plan", "2023")]
    assert 7 not in numbers and len(numbers) == 31


def test_alias_and_group_commands(cli_env: str, tmp_path: Path) -> None:
    assert "市发改委 → 市发展改革委" in ok("units", "alias", "市发展改革委", "市发改委").stdout
    doc = tmp_path / "plan.txt"
    doc.write_text("2023年工作要点\n1.修路。\n责任单位:市发改委,各县(区)\n", encoding="utf-8")
    ok("import", str(doc))
    out = ok("units", "group", "各县(区)", "雁江区", "安岳县", "乐至县").stdout
    assert "雁江区、安岳县、乐至县" in out
    units = {u["name"]: u for u in as_json("units")}
    assert "市发改委" not in units and units["市发展改革委"]["aliases"] == ["市发改委"]
    assert sorted(units["各县(区)"]["members"]) == sorted(["雁江区", "安岳县", "乐至县"])
    assert units["各县(区)"]["kind"] == "collective"
    refused = runner.invoke(app, ["units", "alias", "市交通运输局", "市发改委"])
    assert refused.exit_code == 2 and "already an alias" in refused.stderr


def _bad_inputs(tmp_path: Path) -> dict[str, list[str]]:
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "prose.txt").write_text("这是一段说明文字,没有任何编号的任务。\n", encoding="utf-8")
    (tmp_path / "plan.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    book = openpyxl.Workbook()
    book.active.append(["序号", "任务内容", "备注"])
    book.active.append(["1", "修路", ""])
    book.save(tmp_path / "columns.xlsx")
    shutil.copy(NEWS, tmp_path / "news.txt")
    names = ["junk.txt", "empty.txt", "prose.txt", "plan.pdf", "broken.xlsx", "columns.xlsx"]
    cases = {name: [str(tmp_path / name)] for name in names}
    cases |= {"missing": [str(tmp_path / "nothere.txt")], "folder": [str(tmp_path)]}
    return cases | {"no year": [str(tmp_path / "news.txt")]}


def test_bad_inputs_exit_2_and_write_nothing(cli_env: str, tmp_path: Path) -> None:
    ok("import", str(POINTS))
    before = snapshot(cli_env)
    for label, args in _bad_inputs(tmp_path).items():
        dry = [] if label == "no year" else [["--dry-run"]]  # a dry run needs no year
        for extra in ([], ["--json"], *dry):
            result = runner.invoke(app, ["import", *args, *extra])
            assert result.exit_code == 2, (label, result.output, result.exception)
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), (label, lines)
            assert any(word in lines[0] for word in ("expected", "--year", "template")), lines
            assert result.stdout == ""
    assert snapshot(cli_env) == before


def test_failure_mid_import_leaves_database_unchanged(
    cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("import", str(POINTS))
    before = snapshot(cli_env)
    original = importer.Sync._write

    async def write_then_fail(self: Any) -> None:
        await original(self)
        raise RuntimeError("injected failure after the writes")

    monkeypatch.setattr(importer.Sync, "_write", write_then_fail)
    copy = tmp_path / POINTS.name
    copy.write_text(modified_points(), encoding="utf-8")
    for path in (copy, TABLE):
        result = runner.invoke(app, ["import", str(path)])
        assert isinstance(result.exception, RuntimeError)
    assert snapshot(cli_env) == before


def test_dry_run_needs_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan_document(TABLE.name)
    plan_document(POINTS.name)
    database = tmp_path / "fresh" / "ledgerbot.db"
    monkeypatch.setenv("LEDGERBOT_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    result = ok("import", str(TABLE), "--dry-run", "--json")
    understood = json.loads(result.stdout)  # checked against the document, read by hand
    # The 2021 table carries no date of its own: owed over its whole year.
    assert understood.pop("window") == {"from": "2021-01", "until": "2021-12"}
    assert (understood["title"], understood["year"]) == (None, 2021)
    assert understood["warnings"] == ["year 2021 guessed from the text (the most cited year)"]
    assert [(s["number"], s["title"]) for s in understood["sections"]] == TABLE_SECTIONS
    tasks = understood["tasks"]
    assert [t["number"] for t in tasks] == list(range(1, 43))
    assert {t["number"]: t["lead_units"] for t in tasks if t["number"] in PINNED_2021} == (
        PINNED_2021
    )
    first = tasks[0]
    assert (first["section"], first["text"]) == ("一", TABLE_TASK_1)
    assert [first["milestones"][q][:9] for q in ("Q1", "Q2", "Q3", "Q4")] == [
        "3月底前市域铁路成",
        "6月底前市域铁路成",
        "9月底前市域铁路成",
        "12月底前市域铁路",
    ]
    points = json.loads(ok("import", str(POINTS), "--dry-run", "--json").stdout)
    # 发布时间:2023-03-07 → ledgers are owed from March on.
    assert (points["issued_on"], points["window"]) == (
        "2023-03-07",
        {"from": "2023-03", "until": "2023-12"},
    )
    narrowed = ok("import", str(POINTS), "--dry-run", "--json", "--from", "2023-05",
                  "--until", "2023-11").stdout  # fmt: skip
    assert json.loads(narrowed)["window"] == {"from": "2023-05", "until": "2023-11"}
    assert result.stderr.startswith("warning: year 2021 guessed")
    summary = ok("import", str(POINTS), "--dry-run").stdout
    assert "成资同城化发展2023年工作要点 — 2023" in summary and "32 tasks in 9 sections" in summary
    assert "牵头: 各县(区)" in summary
    assert not database.parent.exists()


def test_template_round_trip(cli_env: str, tmp_path: Path) -> None:
    reports = []
    for name in ("blank.xlsx", "blank.csv"):
        assert "template written" in ok("template", str(tmp_path / name)).stdout
        reports.append(as_json("import", str(tmp_path / name), "--year", "2024"))
    assert reports[0]["added_tasks"][0]["data_units"] == ["市统计局"]
    assert reports[1]["plan"]["title"] == "blank" and reports[1]["added_tasks"] == []
    exists = runner.invoke(app, ["template", str(tmp_path / "blank.csv")])
    assert exists.exit_code == 2 and "--force" in exists.stderr
    assert runner.invoke(app, ["template", str(tmp_path / "t.pdf")]).exit_code == 2
    tasks = as_json("tasks", "--plan", "2024")
    assert len(tasks) == 1 and len(tasks[0]["milestones"]) == 4


def test_progress_lines_after_the_first_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quick step prints nothing; a slow one prints its counts about once a second."""
    lines: list[str] = []
    with progress_lines("reading x", every=0.05, echo=lines.append) as progress:
        progress(5, 10)
    assert lines == []
    monkeypatch.setattr("ledgerbot.progress.QUIET_FOR", 0.05)
    with progress_lines("reading x", every=0.05, echo=lines.append) as progress:
        progress(5, 10)
        deadline = time.monotonic() + 5
        while not lines and time.monotonic() < deadline:
            time.sleep(0.01)
    assert lines and lines[0].startswith("reading x: 5/10 (50%)")


FRAGMENTS = [
    "一、交通",
    "责任单位:",
    "牵头单位:",
    "2023年工作要点",
    "。",
    "|",
    "序号|任务内容|牵头单位",
]
UNITS = ["市交通运输局", "各县(区)", "市发改委", "综合交通专项合作组", "高新区", "x" * 50]
PRINTABLE = st.text(st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn")), max_size=20)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Numbered tasks with unit lines, with random (sometimes binary-looking) noise mixed in."""
    lines = []
    for number in range(1, draw(st.integers(0, 4)) + 1):
        units = "、".join(draw(st.lists(st.sampled_from(UNITS), max_size=3)))
        lines.append(f"{number}.{draw(PRINTABLE)}。\n责任单位:{units}")
    noise = st.one_of(st.text(max_size=30), PRINTABLE, st.sampled_from(FRAGMENTS))
    for item in draw(st.lists(noise, max_size=5)):
        lines.insert(draw(st.integers(0, len(lines))), item)
    return "\n".join(lines)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=documents(), year=st.sampled_from([[], ["--year", "2030"]]))
def test_random_text_never_crashes(
    cli_env: str, tmp_path: Path, text: str, year: list[str]
) -> None:
    path = tmp_path / "random.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = snapshot(cli_env)
    result = runner.invoke(app, ["import", str(path), *year])
    assert result.exit_code in (0, 2), (result.output, result.exception)
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1
        assert snapshot(cli_env) == before
