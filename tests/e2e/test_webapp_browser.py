"""The Mini App in a real browser (headless Chromium), served by the real `ledgerbot run`
process on both databases: staff see the grid with the seeded month's colours, a contact
fills two tasks and submits them (visible to `ledgerbot status --json`), a principal approves
one and returns one, and forged init data is refused. Screenshots go to docs/."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from models import Evidence, ProgressEntry
from models.db import make_engine, make_session_factory, transaction
from tests.e2e.browser import chromium, launch_url, screenshot  # noqa: F401  (fixture)
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.harness import Harness
from tests.e2e.webapp_pages import (
    GREEN,
    PHOTO_SIZE,
    PLAN_PDF,
    RED,
    YELLOW,
    cell,
    entry_evidence,
    only_own_host,
    quarter_and_year_views,
    urge_from_the_entry,
    wait_for,
    wait_text,
)
from tests.webapp.world import (
    AFTER_DUE,
    CONTACT,
    CONTACT_2,
    DEVELOPMENT,
    NAMES,
    PRINCIPAL,
    STAFF,
    TRANSPORT,
    WATER,
    init_data,
    seed_marks,
    seed_milestones,
    seed_month,
)  # fmt: skip

pytestmark = pytest.mark.e2e
pytestmark = pytest.mark.e2e


def _seed(url: str, files: dict[str, str]) -> dict[str, int]:
    """The month, its milestones and 督办 marks, and a photo and a document (Telegram file ids)
    as the evidence of transport's report on task 6."""

    async def run() -> dict[str, int]:
        engine = make_engine(url)
        try:
            async with transaction(make_session_factory(engine)) as session:
                ids = await seed_month(session, approve_first=False)
                await seed_milestones(session, ids)
                await seed_marks(session, ids)
                entry = await session.scalar(
                    select(ProgressEntry.id).where(
                        ProgressEntry.unit_id == ids[TRANSPORT], ProgressEntry.task_id == ids["6"]
                    )
                )
                assert entry is not None
                session.add_all([
                    Evidence(entry_id=entry, kind="photo", file_id=files["photo"]),
                    Evidence(entry_id=entry, kind="document", file_id=files["document"],
                             file_name=PLAN_PDF),
                ])  # fmt: skip
                return ids
        finally:
            await engine.dispose()

    return asyncio.run(run())


def site_photo() -> bytes:
    """A 320×180 picture standing in for a photo of the works (a PNG: browsers read the
    image by its bytes)."""
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(PHOTO_SIZE[0] / 100, PHOTO_SIZE[1] / 100), dpi=100)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.axis("off")
    axes.fill_between([0, 1], [0.0, 0.0], [0.45, 0.6], color="#8d6e63")
    axes.fill_between([0, 1], [0.45, 0.6], [1.0, 1.0], color="#90caf9")
    axes.plot([0.1, 0.9], [0.3, 0.4], color="#424242", linewidth=6)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _files(harness: Harness) -> dict[str, str]:
    """A photo and a document stored on the Telegram double (sent in a group of the contact's,
    where the bot answers commands only), by file id."""
    group = harness.control.create_group("交通局工作群", members=[CONTACT])["id"]
    photo = harness.control.send_photo(CONTACT, site_photo(), chat_id=group)["message"]["photo"][-1]
    document = harness.control.send_document(
        CONTACT, b"%PDF-1.4\n%%EOF\n", PLAN_PDF, mime_type="application/pdf", chat_id=group
    )["message"]["document"]
    return {"photo": photo["file_id"], "document": document["file_id"]}


@pytest.fixture
def served(harness: Harness) -> str:
    for user in (CONTACT, PRINCIPAL, CONTACT_2, STAFF):
        harness.control.create_user(NAMES[user], user_id=user, language_code="zh")
    harness.control.create_user("管理员", user_id=ADMIN_ID)
    harness.ids = _seed(harness.db_url, _files(harness))  # type: ignore[attr-defined]
    base = harness.serve_web()
    harness.start(LEDGERBOT_FAKE_NOW=AFTER_DUE.isoformat())
    return base


def test_staff_grid_contact_form_principal_review_and_forged_init_data(
    served: str,
    harness: Harness,
    chromium: Any,  # noqa: F811
) -> None:
    from selenium.webdriver.common.by import By

    base, driver, token = served, chromium, harness.tg.token
    # Staff: the grid of the open period (2023-05), a column per owing unit, a row per task.
    driver.get(launch_url(base, init_data(STAFF, at=AFTER_DUE, token=token)))
    wait_for(driver, "table#grid")
    units = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#grid th.unit")]
    assert units == [TRANSPORT, DEVELOPMENT, WATER]
    tasks = [th.text.split(".")[0] for th in driver.find_elements(By.CSS_SELECTOR, "th.task")]
    assert tasks == ["5", "6", "8"]
    assert driver.find_element(By.ID, "period").get_attribute("value") == "2023-05"
    # Colours on 2023-06-08, the day after the deadline: transport's two reports wait for 审定
    # (yellow), development's 6 counted (green) and its 8 overdue (red); water owes 8 with
    # nobody bound (red, hatched); development owes nothing on 5 (an empty cell). Transport's
    # 5 is marked 已销号 (销), its 6 已延期 (延).
    assert cell(driver, TRANSPORT, 5) == ("c c-W m-closed", YELLOW)
    assert cell(driver, TRANSPORT, 6) == ("c c-W m-extended", YELLOW)
    assert cell(driver, DEVELOPMENT, 6) == ("c c-G", GREEN)
    assert cell(driver, DEVELOPMENT, 8) == ("c c-R", RED)
    assert cell(driver, WATER, 8) == ("c c-R c-u", RED)
    assert cell(driver, DEVELOPMENT, 5)[0] == "c c-none"
    assert only_own_host(driver, base) == []
    screenshot(driver, "miniapp-grid")
    marked = f"td[data-unit='{TRANSPORT}'][data-task='5']"
    assert driver.find_element(By.CSS_SELECTOR, marked).text == "销"
    driver.find_element(By.CSS_SELECTOR, f"td[data-unit='{TRANSPORT}'][data-task='6']").click()
    wait_text(driver, "#dialog-body", "新开通公交线路2条。")
    assert driver.find_element(By.ID, "marks").text == "已延期至 2023-06-20"
    entry_evidence(driver)
    screenshot(driver, "miniapp-entry")
    driver.find_element(By.ID, "close").click()
    urge_from_the_entry(driver, harness)
    quarter_and_year_views(driver)

    # A contact (development, no principal): fill 6 and 8 on one screen, submit both.
    driver.get(launch_url(base, init_data(CONTACT_2, at=AFTER_DUE, token=token), "form"))
    wait_for(driver, ".card.task")
    cards = driver.find_elements(By.CSS_SELECTOR, ".card.task")
    assert [c.get_attribute("data-number") for c in cards] == ["6", "8"]
    assert cards[0].find_element(By.NAME, "progress").get_attribute("value") == "完成线网优化方案。"
    texts = {"6": ("完成线网优化方案并报市政府审议。", "资金缺口较大", "6月底前印发实施"),
             "8": ("水利项目完成投资1.2亿元。", "", "加快施工进度")}  # fmt: skip
    for card in cards:
        progress, problems, next_steps = texts[card.get_attribute("data-number")]
        for name, value in (("progress", progress), ("problems", problems),
                            ("next_steps", next_steps)):  # fmt: skip
            box = card.find_element(By.NAME, name)
            box.clear()
            box.send_keys(value)
    # 保存草稿 keeps the answers on the server: the form opened again (another device) has them.
    driver.find_element(By.ID, "save").click()
    wait_text(driver, "#message", "草稿已保存")
    driver.get("about:blank")  # the same address again would not load the page anew
    driver.get(launch_url(base, init_data(CONTACT_2, at=AFTER_DUE, token=token), "form"))
    wait_for(driver, ".card.task .draft")
    cards = driver.find_elements(By.CSS_SELECTOR, ".card.task")
    for card in cards:
        progress, problems, next_steps = texts[card.get_attribute("data-number")]
        assert card.find_element(By.NAME, "progress").get_attribute("value") == progress
        assert card.find_element(By.NAME, "problems").get_attribute("value") == problems
    screenshot(driver, "miniapp-form")
    driver.find_element(By.ID, "submit").click()
    wait_text(driver, "#message", "已提交 2 项。")
    status = harness.cli_json("status", "--period", "2023-05", "--unit", DEVELOPMENT)
    entries = {e["task"]: e for e in status["units"][0]["entries"]}
    assert (entries[6]["text"], entries[8]["text"]) == (texts["6"][0], texts["8"][0])
    assert (entries[8]["status"], entries[8]["late"]) == ("on_track", True)
    assert status["units"][0]["submitted"] == 2

    # The principal of transport: approve 5, return 6 with a reason.
    driver.get(launch_url(base, init_data(PRINCIPAL, at=AFTER_DUE, token=token), "review"))
    wait_for(driver, ".card.review")
    numbers = [
        c.get_attribute("data-number")
        for c in driver.find_elements(By.CSS_SELECTOR, ".card.review")
    ]
    assert numbers == ["5", "6"]
    screenshot(driver, "miniapp-review")
    driver.find_element(By.CSS_SELECTOR, ".card.review[data-number='5'] button.approve").click()
    wait_text(driver, "#message", f"已审定通过：{TRANSPORT} 任务 5。")
    card = driver.find_element(By.CSS_SELECTOR, ".card.review[data-number='6']")
    card.find_element(By.CSS_SELECTOR, "button.return").click()
    card.find_element(By.NAME, "reason").send_keys("请补充线路开通时间")
    card.find_element(By.CSS_SELECTOR, "button.confirm-return").click()
    wait_text(driver, "#message", f"已退回：{TRANSPORT} 任务 6。")
    status = harness.cli_json("status", "--period", "2023-05", "--unit", TRANSPORT)
    assert [(e["task"], e["approved"]) for e in status["units"][0]["entries"]] == [
        (5, True), (6, False)
    ]  # fmt: skip
    assert status["units"][0]["submitted"] == 1

    # Forged init data (signed with another bot's token) is refused: nothing is shown.
    driver.get(launch_url(base, init_data(STAFF, at=AFTER_DUE, token="999:forged"), "grid"))
    wait_text(driver, "#error", "身份验证失败")
    assert driver.find_elements(By.CSS_SELECTOR, "table#grid") == []
    screenshot(driver, "miniapp-refused")


def test_links_open_the_app_on_their_period_unit_and_task(
    served: str,
    harness: Harness,
    chromium: Any,  # noqa: F811
) -> None:
    """A web_app button's query (?screen&period&unit&task) and a t.me link's startapp parameter
    (start_param in the init data, tgWebAppStartParam in the fragment) open the same place."""
    from selenium.webdriver.common.by import By

    base, driver, token = served, chromium, harness.tg.token
    ids = harness.ids  # type: ignore[attr-defined]
    transport, development, six = ids[TRANSPORT], ids[DEVELOPMENT], ids["6"]
    # A unit and a task: the grid narrowed to that task's row and that unit, its entry open.
    staff = quote(init_data(STAFF, at=AFTER_DUE, token=token), safe="")
    driver.get(f"{base}/app/?screen=grid&period=2023-05&unit={transport}&task={six}"
               f"#tgWebAppData={staff}&tgWebAppVersion=7.10")  # fmt: skip
    wait_text(driver, "#dialog-body", "新开通公交线路2条。")
    assert driver.find_element(By.ID, "unit").get_attribute("value") == TRANSPORT
    rows = [th.text.split(".")[0] for th in driver.find_elements(By.CSS_SELECTOR, "#grid th.task")]
    assert rows == ["6"]
    # startapp=grid_p2023-05_u<development>: Telegram signs it into the init data.
    param = f"grid_p2023-05_u{development}"
    signed = quote(init_data(STAFF, at=AFTER_DUE, token=token, start_param=param), safe="")
    driver.get("about:blank")
    driver.get(f"{base}/app/#tgWebAppData={signed}&tgWebAppVersion=7.10"
               f"&tgWebAppStartParam={param}")  # fmt: skip
    wait_for(driver, "table#grid")
    units = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#grid th.unit")]
    assert units == [DEVELOPMENT]
    # A contact's form on a task: that card marked.
    contact = quote(init_data(CONTACT_2, at=AFTER_DUE, token=token), safe="")
    driver.get("about:blank")
    driver.get(f"{base}/app/?screen=form&period=2023-05&task={ids['8']}"
               f"#tgWebAppData={contact}&tgWebAppVersion=7.10")  # fmt: skip
    aimed = wait_for(driver, ".card.task.aimed")
    assert aimed.get_attribute("data-number") == "8"
