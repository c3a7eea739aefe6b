"""Unit-list splitting, role suffixes, kind guessing and text normalisation."""

import pytest

from ledger.importing import guess_unit_kind, split_units
from ledger.importing.normalize import cn_to_int, int_to_cn, normalize
from ledger.importing.roles import LeadRule, assign_roles, detect_rule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市发展改革委、市交通运输局,各县(区)", ["市发展改革委", "市交通运输局", "各县(区)"]),
        ("各县(市、区)政府、高新区", ["各县(市、区)政府", "高新区"]),
        ("成都市、德阳市、眉山市、资阳市分别牵头", ["成都市", "德阳市", "眉山市", "资阳市"]),
        ("市财政局、市税务局等市级有关部门", ["市财政局", "市税务局", "市级有关部门"]),
        ("临空经济区,市级有关部门(逗号前为牵头单位,下同)", ["临空经济区", "市级有关部门"]),
        ("市商务局;市商务局、市商务局", ["市商务局"]),
        ("市教育局 市卫健委", ["市教育局", "市卫健委"]),
        ("財政廳，省國資委", ["财政厅", "省国资委"]),
        ("", []),
    ],
)
def test_split_units(text: str, expected: list[str]) -> None:
    assert split_units(text) == expected


@pytest.mark.parametrize(
    ("text", "rule", "leads", "support"),
    [
        ("A局、B局,C局", LeadRule.COMMA, ["A局", "B局"], ["C局"]),
        ("A局、B局,C局", LeadRule.FIRST, ["A局"], ["B局", "C局"]),
        ("A局、B局,C局", LeadRule.ALL, ["A局", "B局", "C局"], []),
        ("A局、B局分别牵头,C局", LeadRule.FIRST, ["A局", "B局"], ["C局"]),
        ("A局牵头,B局、C局配合", LeadRule.COMMA, ["A局"], ["B局", "C局"]),
        ("A局,A局、B局", LeadRule.COMMA, ["A局"], ["B局"]),
    ],
)
def test_assign_roles(text: str, rule: LeadRule, leads: list[str], support: list[str]) -> None:
    assert assign_roles(text, rule) == (leads, support)


def test_detect_rule() -> None:
    assert detect_rule("(逗号前为牵头单位,下同)") is LeadRule.COMMA
    assert detect_rule("责任单位中列第一位为牵头单位") is LeadRule.FIRST
    assert detect_rule("各推进责任单位") is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("市交通运输局", "department"),
        ("市发展改革委", "department"),
        ("市委政研室(市委改革办)", "department"),
        ("资阳发展集团", "department"),
        ("雁江区", "county"),
        ("安岳县", "county"),
        ("乐至县人民政府", "county"),
        ("高新区", "zone"),
        ("临空经济区", "zone"),
        ("高新区管委会", "zone"),
        ("综合交通“同城同网”专项合作组", "working_group"),
        ('综合交通"同城同网"专项合作组', "working_group"),
        ("各县(区)", "collective"),
        ("市级有关部门", "collective"),
        ("有关单位", "collective"),
        ("同城化发展各专项合作组", "collective"),
        ("成都市", "city"),
        ("资阳市", "city"),
    ],
)
def test_guess_unit_kind(name: str, kind: str) -> None:
    assert guess_unit_kind(name) == kind


def test_normalize_punctuation_and_characters() -> None:
    assert normalize("责任单位：市發展改革委，各縣（區）") == "责任单位:市发展改革委,各县(区)"
    assert normalize("京东乾石") == "京东乾石"
    assert normalize("a\u200bb\r\nc") == "ab\nc"


@pytest.mark.parametrize(("numeral", "value"), [("一", 1), ("十", 10), ("十二", 12), ("二十", 20)])
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert cn_to_int(numeral) == value
    assert int_to_cn(value) == numeral


@pytest.mark.parametrize("junk", ["", "十十", "一二", "百", "abc", "二十二十"])
def test_not_numerals(junk: str) -> None:
    assert cn_to_int(junk) is None
