"""The Mini App's buttons: none without LEDGERBOT_PUBLIC_URL, else a web_app button opening
the given screen; each role's first screen."""

from __future__ import annotations

from bot.webapp_links import app_button, app_url, first_screen, startapp_link
from ledger.vocab import ContactRole
from messages.app_links import Target, group_app_button
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


def test_a_target_opens_a_period_a_unit_or_a_task() -> None:
    aim = Target("grid", "2023-03", unit=12, task=5)
    assert app_url(URL, aim) == (
        "https://ledger.example.gov.cn/app/?screen=grid&period=2023-03&unit=12&task=5"
    )
    assert aim.start_param() == "grid_p2023-03_u12_t5"
    assert Target("form", "2023-03").start_param() == "form_p2023-03"
    assert startapp_link("@zyledger_bot", Target("grid", "2023-03")) == (
        "https://t.me/zyledger_bot?startapp=grid_p2023-03"
    )


def test_a_group_gets_a_startapp_link_only_with_the_url_and_the_username() -> None:
    target = Target("grid", "2023-03")
    assert group_app_button(None, "zyledger_bot", target, "zh") is None
    assert group_app_button(URL, None, target, "zh") is None
    button = group_app_button(URL, "zyledger_bot", target, "en")
    assert button is not None and (button.text, button.url, button.web_app) == (
        "Open the ledger", "https://t.me/zyledger_bot?startapp=grid_p2023-03", None
    )  # fmt: skip


def test_scheduled_messages_carry_the_app_button_only_with_a_public_url() -> None:
    from datetime import date

    from messages import notices
    from services.due import Item, Recipient

    r = Recipient(1, 2, 7, "市水务局", "en", [Item("要点", 8, "水利设施", 31)])
    due = date(2023, 4, 7)
    app = {"text": "Report in the table",
           "web_app": {"url": f"{URL}app/?screen=form&period=2023-03"}}  # fmt: skip
    for payload in (
        notices.prompt(r, "2023-03", due, "zh", URL),
        notices.reminder(r, "2023-03", due, "zh", URL),
        notices.overdue_notice(r, "2023-03", due, "zh", buttons=True, public_url=URL),
    ):
        rows = payload["reply_markup"]["inline_keyboard"]
        assert rows[-1] == [app] and "callback_data" in rows[0][0]
    review = notices.review_reminder(r, "2023-03", due, "zh", URL)["reply_markup"]
    assert review["inline_keyboard"] == [
        [{"text": "Approve reports", "web_app": {"url": f"{URL}app/?screen=review&period=2023-03"}}]
    ]
    for payload in (
        notices.prompt(r, "2023-03", due, "zh"),
        notices.overdue_notice(r, "2023-03", due, "zh", buttons=False, public_url=URL),
    ):
        assert "web_app" not in str(payload["reply_markup"])
    assert notices.review_reminder(r, "2023-03", due, "zh")["reply_markup"] is None
