"""Loose task numbers: one rule for every place a task number is typed."""

from __future__ import annotations

import pytest

from ledger.task_numbers import (
    NumberedPart,
    TaskRef,
    numbered_parts,
    parse_task_ref,
    split_task_number,
)


@pytest.mark.parametrize(
    ("word", "number"),
    [
        ("12", 12), ("12.", 12), ("12、", 12), ("12．", 12), ("#12", 12), ("第12项", 12),
        ("任务12", 12), ("任务 12", 12), ("十二", 12), ("第十二项", 12), ("二十", 20),
        ("五", 5), ("第5号", 5), ("Task 7", 7), (" 3 ", 3),
    ],
)  # fmt: skip
def test_a_word_naming_a_task(word: str, number: int) -> None:
    assert parse_task_ref(word) == TaskRef(number)


def test_a_plan_code_qualifies_the_number() -> None:
    assert parse_task_ref("要点/5") == TaskRef(5, "要点")
    assert parse_task_ref("十件大事／41") == TaskRef(41, "十件大事")


@pytest.mark.parametrize(
    "word", ["0", "第0项", "要点/0", "/5", "100000", "十二月", "12月", "abc", "", "一百", "5 6"]
)
def test_words_that_name_no_task(word: str) -> None:
    assert parse_task_ref(word) is None


@pytest.mark.parametrize(
    ("text", "number", "rest"),
    [
        ("5. 序时推进 路基完成70%", 5, "序时推进 路基完成70%"),
        ("第12项已完成", 12, "已完成"),
        ("任务12：完成招标", 12, "完成招标"),
        ("十二、完成招标", 12, "完成招标"),
        ("#3 done", 3, "done"),
        ("7 已完成", 7, "已完成"),
    ],
)
def test_a_text_that_starts_with_a_task(text: str, number: int, rest: str) -> None:
    assert split_task_number(text) == (TaskRef(number), rest)


@pytest.mark.parametrize(
    "text", ["12月底前完成", "2023年完成投资", "100%完成", "十分顺利", "完成第5项", "12"]
)
def test_a_text_that_does_not(text: str) -> None:
    assert split_task_number(text) is None


def test_several_numbered_lines_are_one_part_per_task() -> None:
    text = "5. 序时推进 完成路基\n   桥梁开工\n\n6. 已完成 验收通过"
    assert numbered_parts(text) == [
        NumberedPart(TaskRef(5), "序时推进 完成路基\n桥梁开工"),
        NumberedPart(TaskRef(6), "已完成 验收通过"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "5. 序时推进 完成路基",  # one task: an ordinary reply
        "本月进展：\n5. 完成路基\n6. 验收",  # the first line is no task's
        "5. 完成路基\n5. 又一条",  # a task twice
    ],
)
def test_texts_that_are_not_several_tasks(text: str) -> None:
    assert numbered_parts(text) == []
