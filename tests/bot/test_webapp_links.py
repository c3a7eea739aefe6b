"""The Mini App's buttons: none without LEDGERBOT_PUBLIC_URL, else a web_app button opening
the given screen; each role's first screen."""

from __future__ import annotations

from bot.webapp_links import app_button, app_url, first_screen, startapp_link
from ledger.vocab import ContactRole
from services.identity import Binding, Identity

URL = "https://ledger.example.gov.cn/"


def identity(*roles: ContactRole, staff: bool = False) -> Identity:
    bindings = tuple(Binding(i, 7, "市水务局", r) for i, r in enumerate(roles))
    return Identity(1, False, staff, bindings)


def test_no_public_url_no_button() -> None:
    assert app_button(None, "form", "zh") is None and app_button("", "grid", "zh") is None


def test_buttons_open_their_screen() -> None:
    form = app_button(URL, "form", "zh")
    grid = app_button(URL, "grid", "en")
    assert form is not None and grid is not None
    assert (form.text, form.web_app.url if form.web_app else None) == (
        "在表格中填报", "https://ledger.example.gov.cn/app/?screen=form"
    )  # fmt: skip
    assert (grid.text, grid.web_app.url if grid.web_app else None) == (
        "Open the ledger", "https://ledger.example.gov.cn/app/?screen=grid"
    )  # fmt: skip
    assert app_url(URL) == "https://ledger.example.gov.cn/app/"
    assert startapp_link("zyledger_bot", "grid") == "https://t.me/zyledger_bot?startapp=grid"


def test_each_role_opens_its_own_screen() -> None:
    assert first_screen(identity(ContactRole.CONTACT, staff=True)) == "grid"
    assert first_screen(identity(ContactRole.PRINCIPAL, ContactRole.CONTACT)) == "form"
    assert first_screen(identity(ContactRole.PRINCIPAL)) == "review"
    assert first_screen(identity()) is None
