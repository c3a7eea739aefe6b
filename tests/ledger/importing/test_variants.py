"""How other cities write the same kind of plan: one short fixture per variant."""

from pathlib import Path

import pytest

from ledger.importing import ParsedPlan, parse_file, parse_text


def parse(fixtures_dir: Path, name: str) -> ParsedPlan:
    return parse_file(fixtures_dir / name)


def roles(plan: ParsedPlan) -> list[tuple[list[str], list[str], list[str]]]:
    return [(t.lead_units, t.support_units, t.data_units) for t in plan.tasks]


def test_separate_lead_and_responsible_lines(fixtures_dir: Path) -> None:
    plan = parse(fixtures_dir, "separate_lines.txt")
    assert roles(plan) == [
        (["市交通运输局"], ["东坡区政府", "彭山区政府", "市自然资源和规划局"], []),
        (["市发展改革委", "市交通运输局"], ["各区县政府"], ["市统计局"]),
        (["市卫生健康委"], ["市医疗保障局"], []),
    ]
    assert plan.year == 2022
    assert [t.section for t in plan.tasks] == ["一", "一", "二"]


def test_first_listed_rule_with_exceptions(fixtures_dir: Path) -> None:
    plan = parse(fixtures_dir, "first_listed.txt")
    assert roles(plan) == [
        (["市经济和信息化局"], ["市商务局", "广汉市政府"], []),
        (["市发展改革委", "市经济和信息化局"], ["市科技局", "各县(市、区)政府"], []),
        (["广汉市政府"], ["什邡市政府", "市自然资源和规划局"], []),
    ]
    assert plan.warnings == []


def test_units_in_brackets_after_task(fixtures_dir: Path) -> None:
    plan = parse(fixtures_dir, "bracket_labels.txt")
    assert roles(plan)[:2] == [
        (["市发展改革委"], ["市交通运输局", "雁江区"], ["市统计局"]),
        (["市交通运输局", "市发展改革委"], ["各县(区)", "高新区"], []),
    ]
    assert plan.tasks[0].text == "推进成资市域铁路S3线建设,力争年内全线贯通。"


def test_trailing_lead_bracket(fixtures_dir: Path) -> None:
    task = parse(fixtures_dir, "bracket_labels.txt").tasks[2]
    assert task.lead_units == ["市经济合作外事局", "市商务局"]
    assert task.support_units == ["各县(区)", "高新区", "临空经济区"]
    assert task.text == "联合举办招商推介活动2场以上,新签约项目20个。"


def test_ascii_and_fullwidth_punctuation_agree(fixtures_dir: Path) -> None:
    ascii_plan = parse(fixtures_dir, "punct_ascii.txt")
    wide_plan = parse(fixtures_dir, "punct_fullwidth.txt")
    assert ascii_plan.to_json_dict() == wide_plan.to_json_dict()
    assert roles(wide_plan) == [
        (["临空经济区"], ["市经济和信息化局", "市自然资源规划局"], []),
        (["各县(区)", "市发展改革委"], ["市商务局", "市农业农村局"], []),
    ]


def test_traditional_characters_become_simplified(fixtures_dir: Path) -> None:
    plan = parse(fixtures_dir, "traditional.txt")
    assert plan.title == "成资同城化发展2024年工作要点"
    assert plan.sections[0].title == "推进基础设施同网"
    assert roles(plan)[0] == (["市发展改革委", "市交通运输局"], ["各县(市、区)政府", "高新区"], [])
    assert plan.tasks[0].text == "共建重大轨道交通项目。推动轨道交通资阳线完成盾构施工。"


def test_simplified_names_survive_t2s(fixtures_dir: Path) -> None:
    """t2s maps 乾→干 even in simplified text; names such as 京东乾石 must not change."""
    plan = parse(fixtures_dir, "traditional.txt")
    assert plan.tasks[1].support_units[0] == "京东乾石(安岳)物流公司"


def test_county_list_in_brackets_not_split() -> None:
    plan = parse_text("1.推进工作。\n责任单位:各县(市、区)政府,市发展改革委")
    assert plan.tasks[0].lead_units == ["各县(市、区)政府"]


def test_flat_table_with_only_a_unit_column(fixtures_dir: Path) -> None:
    plan = parse(fixtures_dir, "flat_lead_only.txt")
    assert plan.title == "乐至县2023年同城化重点任务表"
    assert roles(plan) == [
        (["县经济和信息化局"], [], []),
        (["县商务局", "县交通运输局"], [], []),
        (["县卫生健康局"], [], []),
    ]
    assert [t.section for t in plan.tasks] == [None, None, "一"]
    assert plan.tasks[1].text == "建设成渝主轴智慧物流集聚区"


def test_nested_headings_and_counts(fixtures_dir: Path) -> None:
    plan = parse(fixtures_dir, "nested_headings.txt")
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "基础设施同网"),
        ("二", "产业协作"),
    ]
    assert [t.section for t in plan.tasks] == ["一", "一", "一", "二", "二"]
    assert [t.number for t in plan.tasks] == [1, 2, 3, 4, 5]
    assert plan.tasks[4].lead_units == ["区经济和信息化局", "区发展改革局"]


def test_cut_off_last_task_is_kept(fixtures_dir: Path) -> None:
    plan = parse(fixtures_dir, "cut_off.txt")
    assert len(plan.tasks) == 3
    assert plan.tasks[2].text == "推动安岳石窟数字展示中心建设,打造成都都市圈近郊"
    assert plan.tasks[2].lead_units == []
    assert any(w.startswith("task 3:") and "cut off" in w for w in plan.warnings)


def test_numbering_restarts_per_section() -> None:
    text = "一、交通\n1.修路。\n责任单位:市交通运输局\n二、水利\n1.建库。\n责任单位:市水务局"
    plan = parse_text(text)
    assert [(t.number, t.section) for t in plan.tasks] == [(1, "一"), (1, "二")]


@pytest.mark.parametrize(
    "line",
    [
        "1.修路。(牵头单位:市交通运输局;配合单位:各县(区))",
        "1.修路。牵头单位:市交通运输局;配合单位:各县(区)",
        "1.修路。(市交通运输局牵头,各县(区)配合)",
    ],
)
def test_inline_unit_forms(line: str) -> None:
    task = parse_text(line).tasks[0]
    assert (task.text, task.lead_units, task.support_units) == (
        "修路。",
        ["市交通运输局"],
        ["各县(区)"],
    )


def test_hard_wrapped_task_text_is_joined() -> None:
    plan = parse_text("1.推动临空经济区加快发展,建设临空\n智能制造产业园。\n责任单位:临空经济区")
    assert plan.tasks[0].text == "推动临空经济区加快发展,建设临空智能制造产业园。"


def test_numbers_inside_prose_are_not_tasks() -> None:
    text = "1.修路。\n责任单位:市交通运输局\n2月底前完成设计。\n2.5亿元用于建桥。\n"
    text += "2.建桥。\n责任单位:市水务局"
    plan = parse_text(text)
    assert [(t.number, t.text) for t in plan.tasks] == [(1, "修路。"), (2, "建桥。")]


def test_bracketed_numerals_as_tasks_when_no_arabic_numbers() -> None:
    text = "一、交通\n(一)修路。\n责任单位:市交通运输局\n(二)建桥。\n责任单位:市水务局,各县(区)"
    plan = parse_text(text)
    assert [(t.number, t.section, t.text) for t in plan.tasks] == [
        (1, "一", "修路。"),
        (2, "一", "建桥。"),
    ]
    assert plan.tasks[1].support_units == ["各县(区)"]


def test_skipped_task_number_is_warned() -> None:
    plan = parse_text("1.修路。\n责任单位:市交通运输局\n3.建桥。\n责任单位:市水务局")
    assert [t.number for t in plan.tasks] == [1, 3]
    assert "task numbers jump from 1 to 3" in plan.warnings
