"""Telegram manners that are easy to get wrong: escaping, message length, callback data size."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import MENUS
from bot.handlers.report_texts import (
    approval_keyboard,
    confirm_keyboard,
    skip_keyboard,
    status_keyboard,
)
from bot.i18n import Catalog, pick_language
from messages import notices
from messages.keyboards import task_keyboard
from messages.render import MAX_MESSAGE, esc, split_message
from services.due import Item, Recipient


def test_escape() -> None:
    assert esc("<b>A & B</b>") == "&lt;b&gt;A &amp; B&lt;/b&gt;"


@pytest.mark.parametrize("size", [10, 4096, 4097, 9000, 20000])
def test_split_keeps_every_character_and_each_part_fits(size: int) -> None:
    text = "\n".join(f"{n}. 任务内容" * 3 for n in range(size // 20)) + "x" * (size % 97)
    parts = split_message(text)
    assert all(0 < len(p) <= MAX_MESSAGE for p in parts)
    assert "\n".join(parts).replace("\n", "") == text.replace("\n", "")


def test_a_single_huge_line_is_cut_hard() -> None:
    parts = split_message("字" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def _callback_data(markup) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.callback_data for row in markup.inline_keyboard for b in row]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_callback_data_fits_in_64_bytes(lang: str) -> None:
    huge = 2**62
    markups = [
        task_keyboard([(2**62, 99_999, "很长的任务" * 50, "十件大事"), (1, 1, "x", "要点")]),
        status_keyboard(lang),
        skip_keyboard(lang),
        confirm_keyboard(lang),
        approval_keyboard(huge, lang),
    ]
    recipient = Recipient(1, 2, 3, "单位", lang, [Item("要点", 99_999, "目标" * 400, huge)])
    payload = notices.milestone_check(recipient, recipient.items[0], "2023Q2", lang)
    datas = [d for m in markups for d in _callback_data(m)]
    datas += [b["callback_data"] for row in payload["reply_markup"]["inline_keyboard"] for b in row]
    assert datas and all(0 < len(d.encode()) <= 64 for d in datas)


def test_prompt_payload_is_html_safe_and_short_enough() -> None:
    recipient = Recipient(
        1,
        2,
        3,
        "<单位>",
        None,
        [Item("<要点>", n, "<任务> & " * 40, 100 + n) for n in range(1, 60)],
    )
    payload = notices.prompt(recipient, "2023-03", date(2023, 4, 7), "zh")
    assert "&lt;单位&gt;" in payload["text"] and len(payload["text"]) <= MAX_MESSAGE
    assert "【&lt;要点&gt;】" in payload["text"]
    assert payload["meta"]["task_numbers"] == list(range(1, 60))
    assert payload["meta"]["task_ids"] == list(range(101, 160))


def test_prompt_groups_tasks_by_plan_and_buttons_name_the_plan() -> None:
    items = [Item("十件大事", 5, "交通互联", 9), Item("工作要点", 5, "规划衔接", 7),
             Item("工作要点", 6, "产业协作", 8)]  # fmt: skip
    payload = notices.prompt(Recipient(1, 2, 3, "安岳县", None, items), "2023-05",
                             date(2023, 6, 7), "zh")  # fmt: skip
    lines = payload["text"].split("\n")
    at = lines.index("【十件大事】")
    assert lines[at : at + 5] == [
        "【十件大事】", "5. 交通互联", "【工作要点】", "5. 规划衔接", "6. 产业协作",
    ]  # fmt: skip
    buttons = [b for row in payload["reply_markup"]["inline_keyboard"] for b in row]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        ("十件大事/5. 交通互联", "ti:9"), ("工作要点/5. 规划衔接", "ti:7"),
        ("工作要点/6. 产业协作", "ti:8"),
    ]  # fmt: skip


def test_catalog_needs_both_languages_and_language_choice() -> None:
    with pytest.raises(ValueError, match="missing a language"):
        Catalog({"x": {"zh": "只有中文"}})
    assert pick_language(None, "en-GB", "zh") == "en"
    assert pick_language("zh", "en", "zh") == "zh"
    assert pick_language(None, None, "zh") == "zh"


def test_command_menus_exist_in_both_languages() -> None:
    for menu in MENUS.values():
        assert {name for name, _ in menu["zh"]} == {name for name, _ in menu["en"]}
