"""The bulletin's words, shared by its content (reports.bulletin) and both layouts: part titles,
column headers (the labels the Word text uses too), "nothing to report" sentences, and the one
way task text is shortened."""

from __future__ import annotations

PARTS = ("总体情况", "节点目标完成情况", "报送及时率排名", "逾期和未报送情况",
         "未绑定填报人的单位", "滞后任务及存在问题")  # fmt: skip
NUMERALS = "一二三四五六"
MILESTONE_HEADERS = ("序号", "任务内容", "牵头单位", "本季度目标", "完成情况", "情况说明")
RANKING_HEADERS = ("排名", "单位", "应报", "按时", "逾期", "未报", "按时率")
LAPSE_HEADERS = ("月份", "单位", "逾期报送任务", "未报送任务")
UNBOUND_HEADERS = ("月份", "单位", "未报送任务")
BEHIND_HEADERS = ("序号", "任务内容", "单位", "月份", "进展情况", "存在问题", "审定")
NO_MILESTONES = "本季度无节点目标。"
NO_LAPSES = "本季度各单位均按时报送。"
NO_UNBOUND = "本季度应报单位均已绑定填报人。"
NO_BEHIND = "本季度无滞后任务。"
CLAUSE_ENDS = "。；，,;"
TASK_TEXT_LIMIT = 60


def brief(text: str, limit: int = TASK_TEXT_LIMIT) -> str:
    """`text` cut after its last whole clause within `limit` characters (at 。；，, — the mark
    becomes "……"); whole when it is short enough or has no clause boundary to cut at."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in CLAUSE_ENDS)
    return text[:cut] + "……" if cut > 0 else text


def numbers(items: list[str]) -> str:
    return "、".join(items)


def heading(index: int) -> str:
    """Part `index` (0-based) with its numeral: 三、报送及时率排名 for 2."""
    return f"{NUMERALS[index]}、{PARTS[index]}"
