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
WAIT = 20.0
PLAN_PDF = "线路开通方案.pdf"
PHOTO_SIZE = (320, 180)
GREEN, YELLOW, RED, GREY = "rgb(52, 168, 83)", "rgb(251, 188, 4)", "rgb(234, 67, 53)", None


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


def wait_for(driver: Any, css: str) -> Any:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, css))
        )
    except TimeoutException:
        raise AssertionError(f"no {css} on the page:\n{page_text(driver)}") from None


def wait_text(driver: Any, css: str, text: str) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(driver, WAIT).until(
            ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
        )
    except TimeoutException:
        raise AssertionError(f"no {text!r} in {css}:\n{page_text(driver)}") from None


def page_text(driver: Any) -> str:
    """What the page shows and what its console said, for a failure's message."""
    logs = driver.get_log("browser") if hasattr(driver, "get_log") else []
    return driver.find_element("tag name", "body").text + "\nconsole: " + repr(logs)


def cell(driver: Any, unit: str, number: int) -> tuple[str, str]:
    """(class, background colour) of the grid cell of `unit` on task `number`."""
    found = driver.execute_script(
        "const c = document.querySelector("
        "`td[data-unit='${arguments[0]}'][data-task='${arguments[1]}']`);"
        "return c ? [c.className, getComputedStyle(c).backgroundColor] : null;",
        unit, str(number),
    )  # fmt: skip
    assert found is not None, f"no cell for {unit} task {number}"
    return found[0], found[1]


def only_own_host(driver: Any, base: str) -> list[str]:
    """Every resource the page loaded that is not from the bot's own server."""
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return [n for n in names if not n.startswith(base)]


def entry_evidence(driver: Any) -> None:
    """The photo is shown (fetched through the bot's server) and the document downloads."""
    from selenium.webdriver.support.ui import WebDriverWait

    loaded = "const i = document.querySelector('img.evidence'); return !!i && i.naturalWidth > 0"
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script(loaded))
    size = driver.execute_script(
        "const i = document.querySelector('img.evidence'); return [i.naturalWidth, i.naturalHeight]"
    )
    assert size == list(PHOTO_SIZE)
    button = wait_for(driver, "button.download")
    assert button.text == f"下载 {PLAN_PDF}"


def urge_from_the_entry(driver: Any, harness: Harness) -> None:
    """Development's 8 is overdue in the open period: its entry offers [催办], which chases the
    unit's contact through the chat's service; a second press the same day is refused."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, f"td[data-unit='{DEVELOPMENT}'][data-task='8']").click()
    button = wait_for(driver, "button#urge")
    assert button.text == f"催办 {DEVELOPMENT}"
    button.click()
    wait_text(driver, "#urge-message", f"已催办 {DEVELOPMENT}（2023-05）：未报 1 项，已通知 1 人。")
    screenshot(driver, "miniapp-urge")
    told = wait_for_message(harness, CONTACT_2, "催办")
    assert f"{DEVELOPMENT} 2023-05 台账以下事项尚未报送" in told
    driver.find_element(By.ID, "close").click()
    driver.find_element(By.CSS_SELECTOR, f"td[data-unit='{DEVELOPMENT}'][data-task='8']").click()
    clickable(driver, "button#urge").click()  # the new dialog's, not the closed one's
    wait_text(driver, "#urge-message", "今天已催办过")
    driver.find_element(By.ID, "close").click()
    # Transport's 5 waits for 审定 (not overdue): no [催办].
    driver.find_element(By.CSS_SELECTOR, f"td[data-unit='{TRANSPORT}'][data-task='5']").click()
    wait_text(driver, "#dialog-body", "已销号 2023-06-05")
    assert driver.find_elements(By.CSS_SELECTOR, "button#urge") == []
    driver.find_element(By.ID, "close").click()


def clickable(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(ec.element_to_be_clickable((By.CSS_SELECTOR, css)))


def wait_for_message(harness: Harness, chat: int, needle: str) -> str:
    def arrived() -> list[str]:
        return [t for m in harness.bot_messages(chat) if needle in (t := m.get("text") or "")]

    return str(harness.control.wait_until(arrived, WAIT)[0])


def texts(row: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [c.text for c in row.find_elements(By.TAG_NAME, "td")]


def quarter_and_year_views(driver: Any) -> None:
    """The grid's quarter view (2023Q2: targets on 5 and 6; transport met 5 and owes an
    answer on 6, development answered 6 partly) and its year view (January–May: each month
    transport owes 2, development 2, water 1; in May only development's 6 counts)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "view")).select_by_value("quarter")
    wait_for(driver, "table#quarter-grid")
    assert driver.find_element(By.ID, "quarter-key").text == "2023Q2"
    units = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#quarter-grid th.unit")]
    assert units == [TRANSPORT, DEVELOPMENT]
    assert cell(driver, TRANSPORT, 5) == ("c q-M", GREEN)
    assert cell(driver, TRANSPORT, 6)[0] == "c q-Q"
    assert cell(driver, DEVELOPMENT, 6) == ("c q-P", YELLOW)
    assert cell(driver, DEVELOPMENT, 5)[0] == "c c-none"
    screenshot(driver, "miniapp-quarter")

    Select(driver.find_element(By.ID, "view")).select_by_value("year")
    wait_for(driver, "table#year-grid")
    assert driver.find_element(By.ID, "year-key").text == "2023"
    months = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#year-grid th.month")]
    assert months == ["1月", "2月", "3月", "4月", "5月"]
    totals = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#year-grid tr.total td")]
    assert totals == ["0%", "0%", "0%", "0%", "20%"]  # May: 1 of 5 counted
    found = driver.find_elements(By.CSS_SELECTOR, "#year-grid tbody tr:not(.total)")
    rows = {row.find_element(By.TAG_NAME, "th").text: texts(row) for row in found}
    assert rows == {WATER: ["0/1"] * 5, TRANSPORT: ["0/2"] * 5,
                    DEVELOPMENT: ["0/2"] * 4 + ["1/2"]}  # fmt: skip
    screenshot(driver, "miniapp-year")
    Select(driver.find_element(By.ID, "view")).select_by_value("month")
    wait_for(driver, "table#grid")


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
