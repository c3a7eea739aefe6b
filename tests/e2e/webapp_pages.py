"""What the Mini App's browser tests look at and do on a page: waiting for elements and texts,
a grid cell's colour, the entry's evidence and [催办], the quarter and year views."""

from __future__ import annotations

from typing import Any

from tests.e2e.browser import screenshot
from tests.e2e.harness import Harness
from tests.webapp.world import CONTACT_2, DEVELOPMENT, TRANSPORT, WATER

WAIT = 20.0
PLAN_PDF = "线路开通方案.pdf"
PHOTO_SIZE = (320, 180)
GREEN, YELLOW, RED, GREY = "rgb(52, 168, 83)", "rgb(251, 188, 4)", "rgb(234, 67, 53)", None


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
