"""The bulletin's 督办 sentences: supporting units' input (counted apart from the lead
reports), the 催办 each unit needed, and the granted extensions (延期申请)."""

from __future__ import annotations

from reports.data import Extended, UnitRef
from reports.tallies import Obligation


def support_line(support: list[Obligation]) -> list[str]:
    """Supporting units' inputs (配合单位反馈), counted apart from the lead reports."""
    if not support:
        return []
    on_time = sum(1 for o in support if o.reported and not o.late)
    late = sum(1 for o in support if o.reported and o.late)
    return [
        f"配合单位反馈应报{len(support)}项，按时报送{on_time}项，逾期报送{late}项，"
        f"未报送{len(support) - on_time - late}项（不计入上述台账项数与排名）。"
    ]


def extension_line(extensions: list[Extended]) -> list[str]:
    """The granted extensions (延期申请), in period order."""
    if not extensions:
        return []
    named = "；".join(
        f"{x.unit.name}任务{x.task_number}（{x.period}台账，延至{x.until.isoformat()}）"
        for x in extensions
    )
    return [f"本季度批准延期{len(extensions)}项：{named}。"]


def urge_line(urges: dict[UnitRef, int]) -> list[str]:
    """How many 催办 each unit needed, most first."""
    if not urges:
        return []
    ordered = sorted(urges.items(), key=lambda kv: (-kv[1], kv[0].name))
    named = "、".join(f"{unit.name}{n}次" for unit, n in ordered)
    return [f"本季度催办{sum(urges.values())}次：{named}。"]
