"""One fixture per document shape in SHAPES.md, each with its parse written out by hand.

The fixtures are written in our own words (tasks and units invented) after the structure of
public documents; SHAPES.md names each source. Expected values here are read off the fixture
by a person, never produced by the parser.
"""

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ledger.importing import ImportFormatError, ParsedPlan, parse_file, parse_text
from ledger.importing.model import Unread

SHAPES = Path(__file__).parent / "fixtures" / "shapes"
Roles = tuple[list[str], list[str], list[str]]


def parse(name: str, year: int | None = None) -> ParsedPlan:
    return parse_file(SHAPES / name, year=year)


def roles(plan: ParsedPlan) -> list[Roles]:
    return [(t.lead_units, t.support_units, t.data_units) for t in plan.tasks]


def deadlines(plan: ParsedPlan) -> list[tuple[str | None, date | None]]:
    return [(t.deadline_text, t.deadline) for t in plan.tasks]


def test_separate_lines_with_short_district_names() -> None:
    plan = parse("qingshi_2023_division.txt")
    assert plan.title == "青石区政府2023年重点工作任务分解和责任分工方案"
    assert plan.year == 2023
    assert [(t.number, t.section) for t in plan.tasks] == [(1, "一"), (2, "一"), (3, "二")]
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "主要预期目标"),
        ("二", "项目建设"),
    ]
    assert roles(plan) == [
        (["区发改局"], ["青石经济开发区", "各街道"], []),
        (["区工信局"], ["青石经济开发区"], []),
        (["区住建局"], ["区自然资源局", "区财政局", "各街道"], []),
    ]
    assert deadlines(plan) == [(None, None), (None, None), ("9月底前", date(2023, 9, 30))]
    assert plan.tasks[2].text == "全年实施亿元以上项目30个,9月底前完成滨河路改造。"


def test_bracketed_numerals_with_labelled_unit_brackets() -> None:
    plan = parse("jiangcheng_2022_report_division.txt")
    assert plan.title == "江城市2022年《政府工作报告》目标任务责任分解方案"
    assert [(t.number, t.section) for t in plan.tasks] == [
        (1, "一"),
        (2, "一"),
        (1, "二"),
        (2, "二"),
    ]
    county = "各区人民政府〈含开发区管委会〉"
    assert roles(plan) == [
        (["市发改委"], [county, "市统计局"], []),
        (["市人社局"], [county], []),
        (["市城建局"], ["市交通局", "市资规局"], []),
        (["市教育局"], ["市财政局", county], []),
    ]
    assert plan.tasks[2].text == "加快建设江北快速路二期,年底前主线通车。"
    assert deadlines(plan)[2] == ("年底前", date(2022, 12, 31))


def test_traditional_marked_tails_and_deadline_in_text() -> None:
    plan = parse("weichuan_2022_fangguanfu.txt")
    assert plan.title == "渭川市2022年深化“放管服”改革优化营商环境工作要点"
    assert plan.year == 2022
    assert roles(plan) == [
        (["市政府办公室", "市审批局"], ["市级各有关部门", "各县市区政府"], []),
        (["市住建局"], ["市自然资源局", "市审批局"], []),
        (["市市场监管局"], ["市级各有关部门"], []),
    ]
    assert deadlines(plan) == [
        ("2022年10月底前", date(2022, 10, 31)),
        (None, None),
        ("年底前", date(2022, 12, 31)),
    ]
    assert plan.tasks[1].text == "深化工程建设项目审批制度改革,推行“拿地即开工”。"


def test_sub_items_stay_in_their_task() -> None:
    plan = parse("hedong_emergency_duties.txt")
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "预案与体制建设"),
        ("二", "队伍与保障建设"),
    ]
    assert [(t.number, t.section) for t in plan.tasks] == [(1, "一"), (2, "一"), (3, "二")]
    assert plan.tasks[0].text == (
        "完善应急预案体系 (1)规范预案编制、审批、发布和修订工作,提高预案的针对性。"
        " (2)推进基层单位预案编制全覆盖。 (3)每年至少组织一次综合演练。"
    )
    assert plan.tasks[1].text == (
        "健全应急管理机制 (1)建立部门会商研判制度。"
        " (2)完善信息报送和发布机制,2018年6月底前出台工作规程。"
    )
    assert roles(plan) == [
        (["市应急局", "各县(市、区)人民政府"], [], []),
        (["市应急局", "市政府办公室"], [], []),
        (["市消防救援支队", "市应急局"], [], []),
    ]
    assert deadlines(plan)[1] == ("2018年6月底前", date(2018, 6, 30))
    assert plan.unread == []


def test_tab_table_first_listed_leads() -> None:
    plan = parse("linhai_2020_report_tabs.txt")
    assert plan.title == "2020年政府工作报告重点工作责任分解"
    assert plan.year == 2020
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "稳住经济基本盘"),
        ("二", "办好民生实事"),
    ]
    assert roles(plan) == [
        (["市财政局"], ["市税务局", "市发改委"], []),
        (["市发改委"], ["市建委", "各区县(市)政府"], []),
        (["市文广旅游局"], ["市财政局"], []),
    ]
    assert deadlines(plan)[0] == ("9月底前", date(2020, 9, 30))


def test_one_cell_per_line_with_a_progress_column() -> None:
    plan = parse("yuecheng_2020_q1_progress.txt")
    assert [t.number for t in plan.tasks] == [1, 2, 3]
    assert [t.text for t in plan.tasks] == [
        "加强经济运行监测,确保地区生产总值增长6%左右。",
        "推进重大项目攻坚,年内开工亿元以上项目50个。",
        "新增城镇就业3万人,6月底前出台稳就业十条。",
    ]
    assert roles(plan) == [
        (["市发改委"], [], []),
        (["市发改委"], [], []),
        (["市人力社保局"], [], []),
    ]
    assert deadlines(plan)[2] == ("6月底前", date(2020, 6, 30))
    assert plan.year == 2020


def test_one_cell_per_line_with_merged_cells_and_leaders() -> None:
    plan = parse("tianning_2025_targets.txt")
    assert plan.title == "天宁区2025年《政府工作报告》主要目标任务责任分解表"
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "全区主要预期目标"),
        ("二", "推动老城区更新"),
    ]
    assert [(t.number, t.section, t.text) for t in plan.tasks] == [
        (1, "一", "地区生产总值增长5.5%左右。"),
        (2, "一", "一般公共预算收入稳定增长。"),
        (3, "一", "制造业投资增长10%。"),
        (4, "二", "年底前完成北门片区征收。"),
    ]
    assert roles(plan) == [
        (["区发改局"], ["经开区", "各街道"], []),
        (["区财政局"], [], []),
        (["区工信局"], [], []),
        (["区住建局"], ["区城管局"], []),
    ]
    units = {u for t in plan.tasks for u in t.lead_units + t.support_units}
    assert not units & {"张 明", "张明", "李华", "王强"}
    assert any("merged" in w and "2" in w for w in plan.warnings)
    assert deadlines(plan)[3] == ("年底前", date(2025, 12, 31))


def test_several_labelled_groups_in_one_item() -> None:
    plan = parse("xiangshan_2023_openness.txt")
    assert [(t.number, t.section) for t in plan.tasks] == [(1, "一"), (2, "一"), (3, "二")]
    assert plan.tasks[0].text == (
        "做好重大部署信息公开。围绕打造区域消费中心,及时公开商圈改造进展。"
        "做好扩大有效投资相关政策和重大项目信息公开。"
    )
    assert roles(plan) == [
        (["区商务局", "区发改委", "区工信局"], ["各街道", "区政府各相关部门"], []),
        (["区政数局"], [], []),
        (["区政府办"], ["区政府各部门"], []),
    ]
    assert deadlines(plan)[1] == ("6月底前", date(2023, 6, 30))


def test_units_by_duty_without_a_lead_marker() -> None:
    plan = parse("donghu_2024_openness.txt")
    assert plan.title == "2024年东湖区政务公开工作要点"
    assert roles(plan) == [
        (["区发改委", "区科工信局", "区商务局"], [], []),
        (["区政数局", "区市场监管局"], [], []),
        (["区政府办"], ["区政府各部门"], []),
    ]
    assert plan.tasks[2].text == "做好政策解读。"
    assert deadlines(plan)[1] == ("年底前", date(2024, 12, 31))


def test_shared_prefix_lists_and_dated_deadlines_without_a_year() -> None:
    plan = parse("hanjiang_blue_sky.txt")
    assert plan.year is None  # 2019-2020: the importer asks for --year
    assert roles(plan) == [
        (["市生态环境局"], ["市发展和改革局", "工业和信息化局", "自然资源局"], []),
        (["市生态环境局", "工业和信息化局"], ["市公安局", "市场监管局"], []),
        (["市市场监管局"], ["市生态环境局"], []),
    ]
    assert deadlines(plan) == [
        (None, None),
        ("2019年9月底前", date(2019, 9, 30)),
        ("2020年6月底前", date(2020, 6, 30)),
    ]
    assert plan.tasks[0].text == "制定环境准入清单。完成“三线一单”编制工作。"


def test_labelled_brackets_with_participants_and_data() -> None:
    plan = parse("luxi_2023_new_drivers.txt")
    assert roles(plan) == [
        (["市发展改革委"], ["市工业和信息化局", "各县区政府(管委会)"], []),
        (["市能源局"], ["市自然资源和规划局", "市生态环境局"], []),
        (["市工业和信息化局"], ["市生态环境局"], ["市统计局"]),
    ]
    assert deadlines(plan)[1] == ("2023年底前", date(2023, 12, 31))


def test_csv_with_leader_and_deadline_columns() -> None:
    plan = parse("jingchuan_2023_report.csv")
    assert plan.title == "泾川县2023年《政府工作报告》目标任务分解表"
    assert plan.year == 2023
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "扩大有效投资"),
        ("二", "提升城市品质"),
    ]
    assert roles(plan) == [
        (["县发改委"], ["各乡镇", "县财政局"], []),
        (["县发改委"], ["县自然资源局"], []),
        (["县住建局"], ["县城管局", "相关乡镇"], []),
    ]
    assert deadlines(plan) == [
        ("12月底前", date(2023, 12, 31)),
        ("6月底前", date(2023, 6, 30)),
        ("年底前", date(2023, 12, 31)),
    ]


def test_space_table_units_after_the_final_full_stop() -> None:
    plan = parse("xuanhe_2021_targets.txt")
    assert plan.year == 2021
    assert [t.text for t in plan.tasks] == [
        "新增规上工业企业100家,战略性新兴产业产值增长15%。",
        "建成5G基站1000个。",
        "启动老城区雨污分流改造,完成管网建设20公里。",
    ]
    assert roles(plan) == [
        (["市经信局"], ["市发改委", "市科技局"], []),
        (["市经信局"], ["市数据资源局"], []),
        (["市住建局"], ["市城管局", "市财政局"], []),
    ]
    assert deadlines(plan) == [
        ("12月底前", date(2021, 12, 31)),
        ("2021年9月底前", date(2021, 9, 30)),
        ("年底前", date(2021, 12, 31)),
    ]


def test_tab_table_with_repeated_headers_and_an_undated_deadline() -> None:
    plan = parse("beimen_2024_report_tabs.txt")
    assert plan.title == "北门市《政府工作报告》2024年重点工作任务分工方案"
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "深化对外开放"),
        ("二", "做优营商环境"),
    ]
    assert [t.number for t in plan.tasks] == [1, 2, 3]
    assert roles(plan) == [
        (["市口岸办"], ["市交通局", "市商务局"], []),
        (["市商务局"], ["市口岸办"], []),
        (["市政数局"], ["市市场监管局"], []),
    ]
    assert deadlines(plan) == [
        ("2024年12月底前", date(2024, 12, 31)),
        ("长期坚持", None),
        ("6月底前", date(2024, 6, 30)),
    ]
    assert "task 2: deadline '长期坚持' names no date; kept as text" in plan.warnings


def test_space_table_with_a_leader_and_space_separated_units() -> None:
    plan = parse("xishui_2023_report_spaces.txt")
    assert roles(plan) == [
        (["县发改局", "县统计局"], [], []),
        (["县农业农村局", "县财政局", "各镇"], [], []),
        (["县住建局", "县水务公司"], [], []),
    ]
    assert deadlines(plan) == [
        ("12月底前", date(2023, 12, 31)),
        ("11月底前", date(2023, 11, 30)),
        ("年底前", date(2023, 12, 31)),
    ]
    assert plan.tasks[1].text == "新建高标准农田2万亩,9月底前完成主体工程。"


def test_space_row_wrapped_over_two_lines_and_an_unknown_column() -> None:
    """A PDF copy breaks a long row; the words after the last full stop are still units."""
    text = "\n".join(
        [
            "某县2023年重点工作任务表",
            "序号 重点工作 推进方式 责任单位 完成时限",
            "1 推进县城污水管网改造,新建管网",
            "12公里。 县住建局 县水务局 年底前",
            "2 建设口袋公园3个。 县城管局 6月底前",
        ]
    )
    plan = parse_text(text)
    assert [(t.text, t.lead_units, t.deadline) for t in plan.tasks] == [
        ("推进县城污水管网改造,新建管网12公里。", ["县住建局", "县水务局"], date(2023, 12, 31)),
        ("建设口袋公园3个。", ["县城管局"], date(2023, 6, 30)),
    ]


def test_tab_table_without_a_number_column() -> None:
    text = "某区2023年重点工作任务表\n工作任务\t牵头单位\t完成时限\n"
    text += "修建东环路。\t区交通局\t6月底前\n新建公园2个。\t区住建局\t年底前\n"
    plan = parse_text(text)
    assert [(t.number, t.text, t.lead_units, t.deadline) for t in plan.tasks] == [
        (1, "修建东环路。", ["区交通局"], date(2023, 6, 30)),
        (2, "新建公园2个。", ["区住建局"], date(2023, 12, 31)),
    ]


def test_supervision_list_with_host_and_co_units() -> None:
    plan = parse("liangping_2022_supervision.txt")
    assert plan.title == "梁平县2022年第八次县政府常务会议确定事项督查清单"
    assert roles(plan) == [
        (["县民政局"], ["县财政局"], []),
        (["县发改局"], ["县自然资源局", "县住建局"], []),
        (["县卫健局", "县医保局"], ["县财政局"], []),
    ]
    assert deadlines(plan) == [
        ("2022年10月31日前", date(2022, 10, 31)),
        ("11月中旬", date(2022, 11, 20)),
        ("年底前", date(2022, 12, 31)),
    ]


def test_colon_markers_circled_sub_items_and_bracket_marker() -> None:
    plan = parse("nanhu_2023_markers.txt")
    assert plan.title == "南湖县2023年重点工作任务清单"
    assert [(s.number, s.title) for s in plan.sections] == [("一", "项目建设"), ("二", "民生保障")]
    assert roles(plan) == [
        (["县住建局"], ["县生态环境局", "县财政局"], []),
        (["县卫健局"], ["相关乡镇"], []),
        (["县人社局"], ["县财政局", "县农业农村局"], []),
        (["县交通局"], ["县发改委"], []),
    ]
    assert plan.tasks[0].text == "县城污水处理厂提标改造。"
    assert plan.tasks[2].text == (
        "实施城乡居民增收计划: (1)发放创业担保贷款1亿元; (2)新增技能培训5000人次。"
    )
    assert deadlines(plan)[1:] == [
        ("年底前", date(2023, 12, 31)),
        (None, None),
        ("2023年9月底前", date(2023, 9, 30)),
    ]


def test_xlsx_merged_cells_are_filled(tmp_path: Path) -> None:
    """Excel task tables merge 板块, 责任领导 and 牵头单位 over several rows (shapes 12, 14)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["某市2024年重点工作任务分解表"])
    sheet.append(["板块", "序号", "重点任务", "责任领导", "牵头单位", "完成时限"])
    sheet.append(["一、交通", 1, "修建东环路。", "张三", "市交通局", "6月底前"])
    sheet.append([None, 2, "改造西站。", None, None, "9月底前"])
    sheet.append([None, 3, "新建公交站50个。", None, "市公交集团", None])
    sheet.append(["二、民生", 4, "新建公园。", "李四", "市住建局", "年底前"])
    for cells in ("A1:F1", "A3:A5", "D3:D5", "E3:E4", "F4:F5"):
        sheet.merge_cells(cells)
    workbook.save(tmp_path / "merged.xlsx")
    plan = parse_file(tmp_path / "merged.xlsx")
    assert plan.title == "某市2024年重点工作任务分解表"
    assert [(t.number, t.section, t.lead_units, t.deadline) for t in plan.tasks] == [
        (1, "一", ["市交通局"], date(2024, 6, 30)),
        (2, "一", ["市交通局"], date(2024, 9, 30)),
        (3, "一", ["市公交集团"], date(2024, 9, 30)),
        (4, "二", ["市住建局"], date(2024, 12, 31)),
    ]


def test_partly_read_table_says_where_it_stopped() -> None:
    """Row 3 has a number and a unit but no text: reported with its lines, rows 1–2 kept."""
    lines = ["某区2023年重点工作表", "序号", "工作任务", "责任单位"]
    lines += ["1", "修建东环路。", "区交通局", "2", "新建公园2个。", "区住建局", "3", "区财政局"]
    plan = parse_text("\n".join(lines))
    assert [(t.number, t.text, t.lead_units) for t in plan.tasks] == [
        (1, "修建东环路。", ["区交通局"]),
        (2, "新建公园2个。", ["区住建局"]),
    ]
    assert plan.unread == [Unread(first=11, last=12, text="3")]
    assert "unread lines (not tasks, units or headings): 11–12" in plan.warnings
    assert plan.to_json_dict()["unread"] == [{"first": 11, "last": 12, "text": "3"}]


def test_unalignable_table_names_its_columns_and_the_template() -> None:
    text = "某区2023年重点任务表\n序号\n工作任务\n牵头单位\n完成时限\n东环路\n区交通局\n"
    with pytest.raises(ImportFormatError) as caught:
        parse_text(text)
    message = str(caught.value)
    assert "(序号、任务内容、牵头单位、完成时限) ends at line 5" in message
    assert "`ledgerbot template plan.xlsx`" in message and "\n" not in message


def test_every_fixture_is_in_shapes_md() -> None:
    listed = (Path(__file__).parent / "SHAPES.md").read_text(encoding="utf-8")
    names = sorted(p.name for p in SHAPES.iterdir())
    assert len(names) >= 12
    assert [n for n in names if f"`{n}`" not in listed] == []


def test_a_parenthetical_that_names_no_units_stays_in_the_text() -> None:
    plan = parse_text(
        "1.推动老旧设备更新(企业自愿参与)。\n2.修路。(市交通局、各县区政府按职责分工负责)"
    )
    first, second = plan.tasks
    assert (first.text, first.lead_units) == ("推动老旧设备更新(企业自愿参与)。", [])
    assert (second.text, second.lead_units) == ("修路。", ["市交通局", "各县区政府"])
