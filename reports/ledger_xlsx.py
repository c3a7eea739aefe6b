"""The monthly 推进台账 as bureaus print it: one sheet per period, one row per unit's report.

Columns: 序号 任务内容 牵头单位 配合单位 完成状态 进展情况 存在问题 下步打算 填报人 填报时间
是否逾期 审定. Sections are merged heading rows; a task reported by several units spans several
rows with 序号, 任务内容 and 配合单位 merged. 完成状态 is green (已完成, 序时推进), yellow (滞后,
未启动) or red (未报送, 退回修改) — the three colours of 三色预警.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from ledger.reports import status_label
from ledger.vocab import EntryState, EntryStatus
from reports.data import Entry, PeriodLedger, Record
from reports.xlsx import GREEN, RED, YELLOW, Rows, new_workbook, to_bytes

HEADERS = (
    "序号", "任务内容", "牵头单位", "配合单位", "完成状态", "进展情况",
    "存在问题", "下步打算", "填报人", "填报时间", "是否逾期", "审定",
)  # fmt: skip
WIDTHS = (6, 40, 16, 16, 10, 42, 28, 28, 10, 16, 8, 12)
STATUS_COLUMN = HEADERS.index("完成状态") + 1
MERGED_COLUMNS = (1, 2, 4)  # 序号, 任务内容, 配合单位 span a task's rows
MISSING, RETURNED = "未报送", "退回修改"


def status_cell(entry: Entry | None) -> tuple[str, str]:
    """The 完成状态 text and its colour (xlsx.GREEN / YELLOW / RED)."""
    if entry is None or not entry.reported:
        returned = entry is not None and entry.state == EntryState.RETURNED
        return (RETURNED if returned else MISSING), RED
    good = entry.status in (EntryStatus.DONE, EntryStatus.ON_TRACK)
    return status_label(entry.status, "zh"), GREEN if good else YELLOW


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _approval(entry: Entry | None, tz: ZoneInfo) -> str:
    if entry is None:
        return ""
    if entry.state == EntryState.APPROVED:
        return "已审定" + (f" {_when(entry.reviewed_at, tz)[:10]}" if entry.reviewed_at else "")
    if entry.state == EntryState.ACCEPTED:
        return "未经审定（无审定人）"
    if entry.state == EntryState.SUBMITTED:
        return "待审定"
    if entry.state == EntryState.RETURNED:
        return "退回" + (f"：{entry.review_note}" if entry.review_note else "")
    return ""


def _late(entry: Entry | None, record: Record | None, overdue: bool) -> str:
    """是 / 否 by the first counted submission (a later correction keeps its timing)."""
    if record is not None and record.counted_at is not None:
        return "是" if record.late else "否"
    if entry is None or not entry.reported:
        return "未报" if overdue else ""
    return "是" if entry.late else "否"


def title_of(ledger: PeriodLedger) -> str:
    p = ledger.period
    return f"{ledger.plan_title} 推进台账（{p.year}年{p.month}月）"


def write_sheet(book: Workbook, ledger: PeriodLedger, tz: ZoneInfo, overdue: bool) -> None:
    """Add `ledger` as a sheet named after its period ('2023-05')."""
    with Rows(book, ledger.period.key, title_of(ledger), HEADERS, WIDTHS) as ws:
        _fill(ws, ledger, tz, overdue)


def _fill(ws: Rows, ledger: PeriodLedger, tz: ZoneInfo, overdue: bool) -> None:
    section = None
    task_rows: dict[int, list[int]] = {}
    for task, unit, entry in ledger.rows():
        if task.section and task.section != section:
            section = task.section
            ws.heading(section)
        continued = task.id in task_rows  # a later unit of a task: its merged cells stay empty
        text, colour = status_cell(entry)
        details = (
            (
                entry.progress,
                entry.problems or "",
                entry.next_steps or "",
                entry.reporter or "",
                _when(entry.submitted_at, tz),
            )
            if entry is not None
            else ("",) * 5
        )
        row = ws.body(
            (
                None if continued else task.number,
                None if continued else task.text,
                unit.name,
                None if continued else "、".join(task.supports),
                text,
                *details,
                _late(entry, ledger.records.get((task.id, unit.id)), overdue),
                _approval(entry, tz),
            ),
            colour,
            (STATUS_COLUMN,),
            (1,),
        )
        task_rows.setdefault(task.id, []).append(row)
    for rows in task_rows.values():
        if len(rows) > 1:  # a task's rows are consecutive: no heading falls between them
            for column in MERGED_COLUMNS:
                ws.merge(rows[0], column, rows[-1], column)
    ws.ws.print_area = f"A1:L{ws.next - 1}"


def ledger_workbook(ledgers: list[PeriodLedger], tz: ZoneInfo, now: datetime) -> bytes:
    """One sheet per period; `now` decides whether a missing report is already overdue."""
    book = new_workbook()
    for ledger in ledgers:
        write_sheet(book, ledger, tz, overdue=ledger.due_at is not None and now >= ledger.due_at)
    if not ledgers:
        Rows(book, "台账", "（无数据）", HEADERS, WIDTHS).close()
    return to_bytes(book)
