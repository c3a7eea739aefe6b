"""Reading query words (`[UNIT] [N] [YYYY-MM]`), unit names by part, and the version diff."""

from __future__ import annotations

import pytest

from ledger.history import Change, Content, changes
from ledger.periods import Period
from ledger.plans import TaskRef
from ledger.queries import Query, QueryError, match_names, parse_query
from ledger.vocab import EntryStatus


@pytest.mark.parametrize(
    ("words", "query"),
    [
        ([], Query()),
        (["5"], Query(task=TaskRef(5))),
        (["市交通运输局", "5"], Query("市交通运输局", TaskRef(5))),
        (["交通", "要点/5", "2023-03"], Query("交通", TaskRef(5, "要点"), Period(2023, 3))),
        (["市", "交通局", "5", "2023-3"], Query("市 交通局", TaskRef(5), Period(2023, 3))),
        (["2023-03"], Query(period=Period(2023, 3))),
        (["商务局", "2023-03"], Query("商务局", None, Period(2023, 3))),
        (["第五项"], Query(task=TaskRef(5))),  # loose task numbers (ledger.task_numbers)
    ],
)
def test_parse_query(words: list[str], query: Query) -> None:
    assert parse_query(words) == query
    assert parse_query([*([query.unit] if query.unit else []), *query.tail()]) == query


def test_a_bad_period_names_the_word() -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(["2023-13"])
    assert (raised.value.key, raised.value.word) == ("bad_period", "2023-13")


def test_without_tasks_a_number_is_part_of_the_unit() -> None:
    assert parse_query(["第5工作组"], task=False) == Query("第5工作组")
    assert parse_query(["5"], task=False) == Query("5")


SPELLINGS = {"市商务局": 1, "市交通运输局": 2, "市水务局": 3, "市发改委": 4, "市发展改革委": 4}


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("市商务局", [1]),
        ("商务局", [1]),
        ("交 通", [2]),
        ("局", [1, 2, 3]),
        ("发改委", [4]),  # alias and name of the same unit: one unit
        ("发展", [4]),
        ("市", [1, 2, 3, 4]),
        ("教育局", []),
        ("  ", []),
    ],
)
def test_match_names(typed: str, ids: list[int]) -> None:
    assert match_names(typed, SPELLINGS) == ids


def test_exact_spelling_wins_over_parts() -> None:
    assert match_names("商务局", {"商务局": 7, "市商务局": 1}) == [7]


def test_first_version_lists_what_is_filled() -> None:
    new = Content(EntryStatus.ON_TRACK, "路基完成70%", None, "", ("照片",))
    assert changes(None, new) == [
        Change("status", None, "on_track"),
        Change("progress", None, "路基完成70%"),
        Change("evidence", "0", "1", ("照片",), ()),
    ]


def test_changes_between_versions() -> None:
    old = Content(EntryStatus.ON_TRACK, "路基完成70%", "征地偏慢", None, ("a.pdf", "照片"))
    new = Content(EntryStatus.DONE, "路基完成70% ", None, "竣工验收", ("照片", "b.pdf"))
    assert changes(old, new) == [
        Change("status", "on_track", "done"),
        Change("problems", "征地偏慢", None),
        Change("next_steps", None, "竣工验收"),
        Change("evidence", "2", "2", ("b.pdf",), ("a.pdf",)),
    ]
    assert changes(new, new) == []


def test_near_duplicates() -> None:
    from ledger.unit_checks import near_duplicates

    known = ["市文化广电旅游局", "市商务局", "安岳县"]
    new = ["文化广电旅游局", "资阳市商务局", "乐至县", "市乐至县"]
    assert near_duplicates(new, known) == [
        ("文化广电旅游局", "市文化广电旅游局"),
        ("资阳市商务局", "市商务局"),
        ("乐至县", "市乐至县"),
        ("市乐至县", "乐至县"),
    ]
    assert near_duplicates(["市水务局"], ["市水务局"]) == []
