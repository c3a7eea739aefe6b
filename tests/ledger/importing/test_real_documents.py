"""The three published documents: every task's lead units pinned by hand."""

from pathlib import Path

import pytest

from ledger.importing import ParsedPlan, parse_file

LEADS_2023 = {
    1: ["临空经济区"],
    2: ["高新区"],
    3: ["各县(区)"],
    4: ["市发展改革委"],
    5: ["市交通运输局"],
    6: ["市发展改革委", "市交通运输局"],
    7: ["市发展改革委", "市经济和信息化局"],
    8: ["市水务局", "市发展改革委"],
    9: ["市经济和信息化局"],
    10: ["市商务局", "市金融工作局", "市文化广电旅游局"],
    11: ["市农业农村局"],
    12: ["市同城化发展工作局", "市经济和信息化局", "临空经济区"],
    13: ["市同城化发展工作局", "雁江区", "乐至县"],
    14: ["市科学技术局"],
    15: ["市科学技术局"],
    16: ["市商务局"],
    17: ["市商务局"],
    18: ["市经济合作外事局"],
    19: ["市同城化发展工作局", "市自然资源规划局", "市经济和信息化局", "市商务局"],
    20: ["市教育和体育局"],
    21: ["市卫生健康委", "市医疗保障局"],
    22: ["市人力资源社会保障局", "市民政局", "市住房公积金管理中心"],
    23: ["市应急管理局"],
    24: ["市生态环境局", "市发展改革委"],
    25: ["市水务局", "市自然资源规划局", "市生态环境局"],
    26: ["市同城化发展工作局", "市生态环境局"],
    27: ["市委政研室(市委改革办)", "市同城化发展工作局"],
    28: ["市发展改革委"],
    29: ["市同城化发展工作局", "临空经济区"],
    30: ["市同城化发展工作局"],
    31: ["市同城化发展工作局", "市委目标绩效办", "市政府督查室"],
    32: ["市同城化发展工作局", "市委宣传部", "资阳新闻传媒中心"],
}

CITIES = ["成都市", "德阳市", "眉山市", "资阳市"]
TRANSPORT = "综合交通“同城同网”专项合作组"
CULTURE = "文旅产业融合发展专项合作组"
OFFICE = "同城化办公室"
LEADS_2021 = {
    1: [TRANSPORT],
    2: [TRANSPORT],
    3: ["水资源保障专项合作组"],
    4: ["成都市"],
    5: ["成都市"],
    6: CITIES,
    7: ["成都市"],
    8: ["创新产业协作专项合作组"],
    **{n: ["成都市", "眉山市"] for n in (9, 13, 16, 17, 21, 23)},
    **{n: ["成都市", "德阳市"] for n in (10, 11, 12, 18, 19, 22)},
    **{n: ["成都市", "资阳市"] for n in (14, 15, 20)},
    24: ["省发展改革委"],
    25: [OFFICE],
    26: CITIES,
    27: ["财政厅", *CITIES],
    28: ["自然资源厅", OFFICE],
    29: [CULTURE],
    30: [CULTURE],
    31: ["成德眉资都市现代高效特色农业示范区专项合作组"],
    32: ["成都市"],
    33: ["成都市"],
    34: [OFFICE, "同城化发展各专项合作组"],
    35: ["现代服务业协作和自贸试验区(协同改革先行区)建设专项合作组"],
    36: ["成都市"],
    37: [OFFICE],
    38: ["成都市", OFFICE],
    39: ["省大数据中心", OFFICE],
    40: [OFFICE, "成都市"],
    41: [OFFICE, "成都市"],
    42: ["宣传推介氛围营造专项合作组"],
}


@pytest.fixture
def points_2023(plans_dir: Path) -> ParsedPlan:
    return parse_file(plans_dir / "chengzi-2023-work-points.txt")


@pytest.fixture
def table_2021(plans_dir: Path) -> ParsedPlan:
    return parse_file(plans_dir / "chengdemeizi-2021-ten-major-tasks.txt")


@pytest.fixture
def news_2018(plans_dir: Path) -> ParsedPlan:
    return parse_file(plans_dir / "chengzi-2018-2022-five-year-plan-news.txt")


def test_2023_title_year_and_shape(points_2023: ParsedPlan) -> None:
    assert points_2023.title == "成资同城化发展2023年工作要点"
    assert points_2023.year == 2023
    assert [t.number for t in points_2023.tasks] == list(range(1, 33))
    assert [s.number for s in points_2023.sections] == list("一二三四五六七八九")
    assert points_2023.sections[8].title == "工作保障"


def test_2023_every_lead_pinned(points_2023: ParsedPlan) -> None:
    assert {t.number: t.lead_units for t in points_2023.tasks} == LEADS_2023


def test_2023_sections_of_tasks(points_2023: ParsedPlan) -> None:
    by_number = {t.number: t.section for t in points_2023.tasks}
    assert [by_number[n] for n in (1, 3, 4, 8, 9, 13, 29, 30, 32)] == list("一一二二三三八九九")


def test_2023_support_and_rule_note(points_2023: ParsedPlan) -> None:
    first, sixth = points_2023.tasks[0], points_2023.tasks[5]
    assert first.support_units == [
        "市经济和信息化局",
        "市自然资源规划局",
        "市住房城乡建设局",
        "市级有关部门",
    ]
    assert sixth.support_units == ["各县(区)", "高新区", "临空经济区"]
    all_units = [u for t in points_2023.tasks for u in t.lead_units + t.support_units]
    assert not any("下同" in u or "牵头" in u for u in all_units)
    assert points_2023.tasks[30].support_units == []


def test_2023_task_26_without_dot_and_notice_skipped(points_2023: ParsedPlan) -> None:
    task = points_2023.tasks[25]
    assert task.number == 26
    assert task.text.startswith("共同打造沱江绿色发展经济带。")
    assert not any("各推进责任单位" in t.text for t in points_2023.tasks)
    assert points_2023.tasks[0].text.startswith("推动临空经济区加快发展。")


def test_2023_deng_collective_split(points_2023: ParsedPlan) -> None:
    assert points_2023.tasks[26].support_units[-2:] == ["市税务局", "市级有关部门"]


def test_2023_cut_text_is_warned(points_2023: ParsedPlan) -> None:
    assert points_2023.tasks[1].text.endswith("加速打造“中国牙谷")
    assert any(w.startswith("task 2:") for w in points_2023.warnings)


def test_2023_json_contract(points_2023: ParsedPlan) -> None:
    data = points_2023.to_json_dict()
    assert set(data) == {"title", "year", "issued_on", "sections", "tasks", "warnings", "unread"}
    assert data["issued_on"] == "2023-03-07"  # the 发布时间 line
    assert data["sections"][0] == {"number": "一", "title": "统筹优化发展格局,建强同城发展阵地"}
    task = data["tasks"][3]
    assert set(task) == {
        "number",
        "section",
        "text",
        "lead_units",
        "support_units",
        "data_units",
        "milestones",
        "deadline",
        "deadline_text",
    }
    assert task["deadline"] is None and task["deadline_text"] is None  # the points name none
    assert task["number"] == 4
    assert task["section"] == "二"
    assert task["milestones"] == {}


def test_2021_every_lead_pinned(table_2021: ParsedPlan) -> None:
    assert {t.number: t.lead_units for t in table_2021.tasks} == LEADS_2021


def test_2021_sections(table_2021: ParsedPlan) -> None:
    assert [s.number for s in table_2021.sections] == list("一二三四五六七八九十")
    assert table_2021.sections[1].title == "加快推进“三区三带”建设"
    counts = {s.number: 0 for s in table_2021.sections}
    for task in table_2021.tasks:
        assert task.section is not None
        counts[task.section] += 1
    assert list(counts.values()) == [4, 4, 15, 5, 3, 2, 2, 2, 2, 3]


def test_2021_all_quarters_filled(table_2021: ParsedPlan) -> None:
    assert len(table_2021.tasks) == 42
    for task in table_2021.tasks:
        assert list(task.milestones) == ["Q1", "Q2", "Q3", "Q4"], task.number
        assert all(task.milestones.values()), task.number


def test_2021_milestones_pinned(table_2021: ParsedPlan) -> None:
    first, second = table_2021.tasks[0], table_2021.tasks[1]
    assert first.milestones["Q1"] == (
        "3月底前市域铁路成资S3线大部分打围进行前期工程施工。开展成德S11线、成眉S5主线可研编制。"
        "完善成都外环铁路可研方案。"
    )
    assert second.milestones["Q4"] == (
        "完成天眉乐高速项目前期工作,力争开工建设。建成万罗路、放高路、云大路、三岔湖环湖路,"
        "加快沱江大桥施工。"
    )
    assert table_2021.tasks[19].milestones["Q3"] == (
        "召开三季度联席会议。探索联合组建平台公司,共同推进示范区内基础设施建设。"
    )
    assert table_2021.tasks[41].milestones["Q1"].startswith("健全同城化新闻发布和宣传联动机制")


def test_2021_support_and_texts(table_2021: ParsedPlan) -> None:
    tasks = table_2021.tasks
    assert tasks[5].support_units == ["创新产业专项合作组"]
    assert tasks[25].support_units == ["财政厅", "省国资委", "省地方金融监管局"]
    assert tasks[0].support_units == []
    assert tasks[21].text == "加快建设金中灯笼产业融合发展示范园。"
    assert tasks[41].lead_units == ["宣传推介氛围营造专项合作组"]


def test_2021_year_guessed(table_2021: ParsedPlan, plans_dir: Path) -> None:
    assert table_2021.year == 2021
    assert any("guessed" in w for w in table_2021.warnings)
    explicit = parse_file(plans_dir / "chengdemeizi-2021-ten-major-tasks.txt", year=2022)
    assert explicit.year == 2022


def test_news_is_parsed_with_empty_units(news_2018: ParsedPlan) -> None:
    """Decision: the news article is a plan summary; its 8 tasks are kept, units left empty."""
    assert [t.number for t in news_2018.tasks] == list(range(1, 9))
    assert news_2018.title == "成资同城化发展五年行动计划(2018—2022年)"
    assert news_2018.year is None
    assert all(not t.lead_units and not t.support_units for t in news_2018.tasks)
    assert any("no units found" in w for w in news_2018.warnings)
    assert news_2018.tasks[0].text.startswith("推动区域规划同城化,构建同城化的规划体系。")
    assert news_2018.tasks[7].text.endswith("推动同城化政策协调、步调一致。")


def test_news_year_argument(plans_dir: Path) -> None:
    plan = parse_file(plans_dir / "chengzi-2018-2022-five-year-plan-news.txt", year=2018)
    assert plan.year == 2018
