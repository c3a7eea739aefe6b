"""Short unit names → the registry's canonical unit, or a suggestion; never a guess."""

import pytest

from ledger.importing.abbrev import ShortName, resolve_short_names

CITY = [
    "市发展和改革委员会",
    "市经济和信息化局",
    "市住房和城乡建设局",
    "市市场监督管理局",
    "市工业和信息化局",
    "市卫生健康委员会",
]
COUNTY = ["乐至县发展和改革局", "县住房城乡建设局"]
REGISTRY = {name: name for name in CITY + COUNTY} | {"市发改局": "市发展和改革委员会"}


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("市发改委", "市发展和改革委员会"),
        ("市发展改革委", "市发展和改革委员会"),  # 和 and 委员会 spelled differently
        ("市经信局", "市经济和信息化局"),
        ("市住建局", "市住房和城乡建设局"),
        ("县住建局", "县住房城乡建设局"),
        ("县发改委", "乐至县发展和改革局"),  # a county's 发改 is a 局; place names read as level
        ("工业和信息化局", "市工业和信息化局"),  # shared 市 prefix left off in a list
        ("市场监管局", "市市场监督管理局"),  # 市 is part of the department's own name
        ("市卫健委", "市卫生健康委员会"),
    ],
)
def test_unambiguous_short_names_resolve(written: str, unit: str) -> None:
    assert resolve_short_names([written], REGISTRY) == [ShortName(written, unit)]


def test_ambiguous_names_are_suggestions_and_levels_never_cross() -> None:
    found = resolve_short_names(["发改委", "住建局", "区发改局", "市统计局"], REGISTRY)
    assert found == [
        ShortName("发改委", None, ("乐至县发展和改革局", "市发展和改革委员会")),
        ShortName("住建局", None, ("县住房城乡建设局", "市住房和城乡建设局")),
    ]


def test_names_already_in_the_registry_or_aliases_are_left_alone() -> None:
    assert resolve_short_names(["市发改局", "市经济和信息化局"], REGISTRY) == []


def test_fuller_spelling_in_the_same_document_wins_in_an_empty_registry() -> None:
    names = ["市发改委", "市发展改革委", "文化广电旅游局", "市文化广电旅游局", "各县(区)"]
    assert resolve_short_names(names, {}) == [
        ShortName("市发改委", "市发展改革委"),
        ShortName("文化广电旅游局", "市文化广电旅游局"),
    ]


def test_zones_and_collectives_are_not_departments() -> None:
    registry = {n: n for n in ["高新区管委会", "临空经济区管委会", "各县(区)", "雁江区"]}
    names = ["临空经济区管委会", "高新区", "各县(市、区)", "安岳县"]
    assert resolve_short_names(names, registry) == []
