"""All four documents from realistic data: a plan in the shape of the 2021 task table (the
project's own, `tests/fixtures/plans/`) imported with the CLI, two quarters of reports
through the services, then exports from the CLI and from the bot, per role."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import docx
import openpyxl
import pytest

from models.db import make_engine, make_session_factory
from tests.e2e.harness import Harness, Message
from tests.plans import OWN_TABLE
from tests.reports.simulate import World, simulate

pytestmark = pytest.mark.e2e

PLAN_FILE = OWN_TABLE  # 12 tasks in 3 sections, led by the four cities and working groups
FAKE_NOW = "2021-07-12T10:00:00+08:00"  # a Monday after the second quarter's June ledger


def run_simulation(url: str) -> World:
    async def go() -> World:
        engine = make_engine(url)
        try:
            return await simulate(make_session_factory(engine), 2021)
        finally:
            await engine.dispose()

    return asyncio.run(go())


@pytest.fixture
def world(harness: Harness) -> tuple[Harness, World]:
    harness.cli("import", str(PLAN_FILE), "--year", "2021")
    simulated = run_simulation(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    return harness, simulated


def document_bytes(harness: Harness, message: Message) -> bytes:
    file_id = message["document"]["file_id"]
    return bytes(harness.tg.double.state.files[file_id].data)


def ledger_units(data: bytes, sheet: str) -> set[str]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    return {row[2] for row in ws.iter_rows(min_row=3, values_only=True) if row[2]}


def test_four_documents_from_real_data(world: tuple[Harness, World]) -> None:
    harness, simulated = world
    assert simulated.submitted > 40 and simulated.missing and simulated.late  # of 72 owed
    out = harness.workdir

    # June has entries 序时推进 and 滞后 and two missing (the simulation is deterministic)
    harness.cli("export", "ledger", "--period", "2021-06", "-o", str(out / "ledger.xlsx"))
    ws = openpyxl.load_workbook(out / "ledger.xlsx")["2021-06"]
    statuses = {row[4] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert {"序时推进", "滞后", "未报送"} <= statuses
    assert ws["A3"].value == "一、共建都市圈交通骨架"
    assert {"成都市", "德阳市", "眉山市", "资阳市"} <= ledger_units(
        (out / "ledger.xlsx").read_bytes(), "2021-06"
    )

    harness.cli("export", "bulletin", "--quarter", "2021Q2", "-o", str(out / "bulletin.docx"))
    harness.cli("export", "bulletin", "--quarter", "2021Q2", "-o", str(out / "bulletin.xlsx"))
    paragraphs = [p.text for p in docx.Document(str(out / "bulletin.docx")).paragraphs]
    assert paragraphs[0].endswith("2021年第2季度推进情况通报")
    assert any(p.startswith("本季度应报台账") for p in paragraphs)
    assert any("未报送任务" in p for p in paragraphs) and any("存在问题" in p for p in paragraphs)
    bulletin = openpyxl.load_workbook(out / "bulletin.xlsx")
    outcomes = {r[4] for r in bulletin["节点目标"].iter_rows(min_row=3, values_only=True)}
    assert {"已完成", "部分完成", "未完成", "未答复"} <= outcomes

    harness.cli("export", "scorecard", "--year", "2021", "--through", "2021-06",
                "-o", str(out / "scorecard.xlsx"))  # fmt: skip
    card = openpyxl.load_workbook(out / "scorecard.xlsx")["年度考评"]
    first = [c.value for c in card[3]]
    assert first[0] == 1 and first[2] > 0 and str(first[13]).startswith("=IF(")
    assert card.max_row - 2 == len(simulated.contacts)  # one row per owing unit

    dump = json.loads(harness.cli("export", "entries", "--year", "2021", "--format", "json").stdout)
    assert len(dump) == simulated.submitted and {d["period"][:4] for d in dump} == {"2021"}
    harness.cli("export", "entries", "--year", "2021", "-o", str(out / "entries.csv"))
    with (out / "entries.csv").open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == simulated.submitted

    harness.cli("digest", "--period", "2021-06", "--out", str(out / "digest.png"))
    assert (out / "digest.png").read_bytes()[:4] == b"\x89PNG"
    text = harness.cli("digest", "--period", "2021-06").stdout
    assert "每周台账简报 2021-06" in text and "下一截止" in text


def test_exports_in_the_chat_per_role(world: tuple[Harness, World]) -> None:
    harness, simulated = world
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    [ledger] = harness.say(admin, "/export 2021-05")
    assert ledger["caption"] == "2021-05 推进台账"
    everyone = ledger_units(document_bytes(harness, ledger), "2021-05")
    assert len(everyone) == len(simulated.contacts)

    contact = simulated.contacts["德阳市"]
    harness.control.create_user("德阳填报人", user_id=contact)
    [own] = harness.say(contact, "/export 2021-05")
    assert own["caption"] == "2021-05 推进台账（德阳市）"
    assert ledger_units(document_bytes(harness, own), "2021-05") == {"德阳市"}
    [docx_file, xlsx_file] = harness.say(contact, "/bulletin 2021Q2", expect=2)
    ranking = openpyxl.load_workbook(io.BytesIO(document_bytes(harness, xlsx_file)))["报送排名"]
    assert [r[1] for r in ranking.iter_rows(min_row=3, values_only=True)] == ["德阳市"]
    assert docx_file["document"]["file_name"] == "bulletin-2021Q2.docx"
    [refused] = harness.say(contact, "/digest")
    assert "无权" in refused["text"]

    stranger = harness.user("路人")
    for command in ("/export 2021-05", "/bulletin 2021Q2", "/digest", "/export nonsense"):
        [reply] = harness.say(stranger, command)
        assert "document" not in reply and "无权" in reply["text"]

    [docx_all, _] = harness.say(admin, "/bulletin 2021Q2", expect=2)
    paragraphs = docx.Document(io.BytesIO(document_bytes(harness, docx_all))).paragraphs
    assert paragraphs[0].text.endswith("2021年第2季度推进情况通报")
    text, photo = harness.say(admin, "/digest 2021-06", expect=2)
    assert text["text"].startswith("每周台账简报 2021-06")
    assert photo["caption"] == "2021-06 台账报送情况（截至 2021-07-12）" and photo["photo"]
