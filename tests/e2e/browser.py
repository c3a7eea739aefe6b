"""Headless Chromium from the machine's packages (Debian's `chromium` and `chromium-driver`),
driven by selenium, for the Mini App's browser tests; skipped with the reason when missing
(failing under LEDGERBOT_TEST_STRICT=1, as .ci/run sets)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import missing_component

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DOCS = Path(__file__).resolve().parents[2] / "docs"
THEME = {"bg_color": "#ffffff", "text_color": "#1c1c1e", "hint_color": "#8e8e93",
         "button_color": "#2481cc", "button_text_color": "#ffffff",
         "secondary_bg_color": "#f2f2f7"}  # fmt: skip


def find_chromium() -> tuple[str, str]:
    browser = next((p for p in map(shutil.which, CHROMIUM) if p), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        missing_component(
            "headless Chromium is not installed (apt-get install chromium chromium-driver): "
            "the Mini App's browser tests need it"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing_component("selenium is not installed (pip install -e '.[dev]')")
    assert browser is not None and driver is not None
    return browser, driver


@pytest.fixture
def chromium() -> Iterator[Any]:
    browser, driver_path = find_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=430,900", "--lang=zh-CN", "--force-device-scale-factor=1",
                     "--hide-scrollbars"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def launch_url(base: str, init_data: str, screen: str = "") -> str:
    """The app's address as a Telegram client opens it: launch parameters in the fragment."""
    fragment = (
        f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=7.10&tgWebAppPlatform=web"
        f"&tgWebAppThemeParams={quote(json.dumps(THEME), safe='')}"
    )
    query = f"?screen={screen}" if screen else ""
    return f"{base}/app/{query}#{fragment}" + (f"&screen={screen}" if screen else "")


def screenshot(driver: Any, name: str) -> Path:
    """Write docs/<name>.png (what users see; README shows it)."""
    DOCS.mkdir(exist_ok=True)
    path = DOCS / f"{name}.png"
    driver.execute_script("window.scrollTo(0, 0); document.activeElement.blur();")
    driver.save_screenshot(str(path))
    return path
