"""The documents and registry of the scripted year, as a reader finds them on paper.

The 2023 points are the real document (../shared/plans). The second plan is a small table of
our own in the shape of the provincial 十件大事 table, issued in April: it shares 市交通运输局,
安岳县, 市水务局 and 高新区 with the points, and a task 5 with 市交通运输局.
"""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
POINTS = REPOSITORY.parent / "shared" / "plans" / "chengzi-2023-work-points.txt"
POINTS_TITLE = "成资同城化发展2023年工作要点"
POINTS_CODE = "工作要点"
TEN_TITLE = "成资同城化十件大事(2023年)"
TEN_CODE = "十件大事"

COUNTIES = "各县(区)"
COUNTY_MEMBERS = ["雁江区", "安岳县", "乐至县"]  # the Ziyang registry (../shared/plans/README.md)

_HEAD = """成资同城化十件大事(2023年)
发布时间:2023-04-12
十件大事 | 序号 | 任务内容 | 一季度 | 二季度 | 三季度 | 四季度 | 牵头单位 | 配合单位
"""
_ROWS = [  # section, 序号, 任务内容, 一季度 … 四季度, 牵头单位, 配合单位
    ("一、产业协作", "1", "建设成资协同开放走廊安岳示范段。", "3月底前完成示范段选址。",
     "6月底前完成示范段规划。", "9月底前启动基础设施建设。", "12月底前完成一期工程。",
     "安岳县", "市商务局"),
    ("一、产业协作", "2", "建设高新区医疗器械产业园二期。", "3月底前完成招商方案。",
     "6月底前签约项目5个。", "9月底前开工标准厂房。", "12月底前建成标准厂房。",
     "高新区", "市经济和信息化局"),
    ("二、水利保障", "3", "推进毗河供水二期工程。", "3月底前完成初步设计。", "6月底前开工建设。",
     "9月底前完成投资30%。", "12月底前完成投资60%。", "市水务局", "乐至县"),
    ("三、交通互联", "4", "建成成资临空大道骏兴段。", "3月底前完成施工招标。",
     "6月底前路基工程完成50%。", "9月底前开展路面施工。", "12月底前建成通车。",
     "{lead4}", "雁江区"),
    ("三、交通互联", "5", "打通古乐路城际断头路。", "3月底前完成设计。", "6月底前开工建设。",
     "9月底前完成路基工程。", "12月底前建成通车。", "市交通运输局", "乐至县"),
]  # fmt: skip
_ADDED = ("三、交通互联", "6", "推进资阳北站综合客运枢纽建设。", "", "6月底前完成方案设计。",
          "9月底前开工建设。", "12月底前完成主体工程。", "市交通运输局", "雁江区")  # fmt: skip


def _table(rows: list[tuple[str, ...]], lead4: str) -> str:
    return _HEAD + "".join(" | ".join(row).format(lead4=lead4) + "\n" for row in rows)


TEN = _table(_ROWS, lead4="市交通运输局")
# July's version: task 4 is handed to 市住房城乡建设局, and a task 6 is added.
TEN_CHANGED = _table([*_ROWS, _ADDED], lead4="市住房城乡建设局")

# Units in the order /status and the digest list them for the points alone: by the first task
# each leads in the document (责任单位 lines, before the comma), then by its place in that
# list. Read off the document by hand; 雁江区 owes task 3 through 各县(区).
UNBOUND_IN_ORDER = [
    "临空经济区",  # 1
    "高新区",  # 2
    "雁江区",  # 3 (各县(区))
    "市发展改革委",  # 4
    "市经济和信息化局",  # 7
    "市商务局",  # 10 (三家, in the document's order)
    "市金融工作局",
    "市文化广电旅游局",
    "市农业农村局",  # 11
    "市同城化发展工作局",  # 12
    "市科学技术局",  # 14
    "市经济合作外事局",  # 18
    "市自然资源规划局",  # 19
    "市教育和体育局",  # 20
    "市卫生健康委",  # 21 (the document's order)
    "市医疗保障局",
    "市人力资源社会保障局",  # 22 (the document's order)
    "市民政局",
    "市住房公积金管理中心",
    "市应急管理局",  # 23
    "市生态环境局",  # 24
    "市委政研室(市委改革办)",  # 27
    "市委目标绩效办",  # 31
    "市政府督查室",
    "市委宣传部",  # 32
    "资阳新闻传媒中心",
]
