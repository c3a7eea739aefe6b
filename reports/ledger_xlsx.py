"""The monthly 推进台账 as bureaus print it: one sheet per period and plan, one row per unit's
report, the plan's title at the top.

Columns: 序号 任务内容 牵头单位 配合单位 完成状态 进展情况 存在问题 下步打算 填报人 填报时间
是否逾期 审定 配合单位反馈. Sections are merged heading rows; a task reported by several units
spans several rows with 序号, 任务内容, 配合单位 and 配合单位反馈 merged. 配合单位反馈 holds
each supporting unit's input for the period (plans with support reports on), or 未报送.
完成状态 is green (已完成, 序时推进), yellow (滞后,
未启动) or red (未报送, 退回修改) — the three colours of 三色预警; before its deadline a report not
yet in is 待报送, uncoloured (nothing is overdue before it is due). 审定 reads 已审定 only when a
principal approved; an entry counted without one reads 未经审定（无审定人）.

A sheet is named after its period ('2023-05'); when several plans owe that period, each plan's
sheet adds its code ('2023-05 十件大事'), within Excel's 31 characters and its forbidden signs.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from ledger.entries import REVIEW_LABELS, is_late
from ledger.reports import status_label
from ledger.vocab import EntryState, EntryStatus
from reports.data import Entry, PeriodLedger, Record
from reports.xlsx import GREEN, RED, YELLOW, Rows, new_workbook, to_bytes

HEADERS = (
    "序号", "任务内容", "牵头单位", "配合单位", "完成状态", "进展情况",
    "存在问题", "下步打算", "填报人", "填报时间", "是否逾期", "审定", "附件", "配合单位反馈",
)  # fmt: skip
WIDTHS = (6, 40, 16, 16, 10, 42, 28, 28, 10, 16, 8, 12, 30, 40)
STATUS_COLUMN = HEADERS.index("完成状态") + 1
MERGED_COLUMNS = (1, 2, 4, 14)  # 序号, 任务内容, 配合单位, 配合单位反馈 span a task's rows
MISSING, RETURNED, NOT_YET = "未报送", "退回修改", "待报送"
SHEET_NAME_MAX = 31
_FORBIDDEN = str.maketrans({sign: "_" for sign in "[]:*?/\\'"})


def status_cell(entry: Entry | None, overdue: bool = True) -> tuple[str, str | None]:
    """The 完成状态 text and its colour (xlsx.GREEN / YELLOW / RED, None before the deadline)."""
    if entry is None or not entry.reported:
        returned = entry is not None and entry.state == EntryState.RETURNED
        if returned:
            return RETURNED, RED
        return (MISSING, RED) if overdue else (NOT_YET, None)
    good = entry.status in (EntryStatus.DONE, EntryStatus.ON_TRACK)
    return status_label(entry.status, "zh"), GREEN if good else YELLOW


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _approval(entry: Entry | None, tz: ZoneInfo) -> str:
    """已审定 (with its date) only for a principal's approval; the other states by their label
    (ledger.entries.REVIEW_LABELS), a return with its reason."""
    if entry is None:
        return ""
    if entry.state == EntryState.APPROVED:
        day = f" {_when(entry.reviewed_at, tz)[:10]}" if entry.reviewed_at else ""
        return REVIEW_LABELS[EntryState.APPROVED]["zh"] + day
    if entry.state == EntryState.RETURNED:
        return "退回" + (f"：{entry.review_note}" if entry.review_note else "")
    if entry.state in (EntryState.ACCEPTED, EntryState.SUBMITTED):
        return REVIEW_LABELS[entry.state]["zh"]
    return ""


def _late(entry: Entry | None, record: Record | None, overdue: bool) -> str:
    """是 / 否 by the first counted submission (a later correction keeps its timing)."""
    if record is not None and record.counted_at is not None:
        return "是" if record.late else "否"
    if entry is None or not entry.reported:
        return "未报" if overdue else ""
    return "是" if entry.late else "否"


def support_feedback(ledger: PeriodLedger, task_id: int, now: datetime) -> str:
    """The 配合单位反馈 cell: each supporting unit's input (status and progress), or 未报送 /
    待报送 before its own due instant; "" when the task owes no supporting input."""
    lines = []
    for unit, entry in ledger.support_inputs(task_id):
        if entry is not None and entry.reported:
            lines.append(f"{unit.name}：{status_label(entry.status, 'zh')}，{entry.progress}")
            continue
        record = ledger.records.get((task_id, unit.id))
        lines.append(f"{unit.name}：{status_cell(entry, _overdue(ledger, record, now))[0]}")
    return "\n".join(lines)


def title_of(ledger: PeriodLedger) -> str:
    p = ledger.period
    return f"{ledger.plan_title} 推进台账（{p.year}年{p.month}月）"


def sheet_names(ledgers: list[PeriodLedger]) -> list[str]:
    """One unique sheet name per ledger: the period, plus the plan's code when several plans
    owe that period; Excel's forbidden signs become '_', names are cut to 31 characters and a
    name already taken (ignoring case, as Excel does) gets ' (2)', ' (3)'…"""
    plans: dict[str, int] = {}
    for ledger in ledgers:
        plans[ledger.period.key] = plans.get(ledger.period.key, 0) + 1
    taken: set[str] = set()
    names = []
    for ledger in ledgers:
        key = ledger.period.key
        base = f"{key} {ledger.plan_code}" if plans[key] > 1 and ledger.plan_code else key
        base = base.translate(_FORBIDDEN)[:SHEET_NAME_MAX]
        name, n = base, 2
        while name.casefold() in taken:
            suffix = f" ({n})"
            name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
        taken.add(name.casefold())
        names.append(name)
    return names


def write_sheet(
    book: Workbook, ledger: PeriodLedger, tz: ZoneInfo, now: datetime, name: str
) -> None:
    """Add `ledger` as the sheet `name`, its plan's title at the top; `now` decides whether a
    missing report is already overdue (by each obligation's own due instant)."""
    with Rows(book, name, title_of(ledger), HEADERS, WIDTHS) as ws:
        _fill(ws, ledger, tz, now)


def _overdue(ledger: PeriodLedger, record: Record | None, now: datetime) -> bool:
    due = record.due_at if record is not None else ledger.due_at
    return due is not None and is_late(now, due)


def _fill(ws: Rows, ledger: PeriodLedger, tz: ZoneInfo, now: datetime) -> None:
    section = None
    task_rows: dict[int, list[int]] = {}
    for task, unit, entry in ledger.rows():
        if task.section and task.section != section:
            section = task.section
            ws.heading(section)
        continued = task.id in task_rows  # a later unit of a task: its merged cells stay empty
        record = ledger.records.get((task.id, unit.id))
        overdue = _overdue(ledger, record, now)
        text, colour = status_cell(entry, overdue)
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
                _late(entry, record, overdue),
                _approval(entry, tz),
                "\n".join(a.describe(tz) for a in entry.attachments) if entry else "",
                None if continued else support_feedback(ledger, task.id, now),
            ),
            colour,
            (STATUS_COLUMN,),
            (1, STATUS_COLUMN),
        )
        task_rows.setdefault(task.id, []).append(row)
    for rows in task_rows.values():
        if len(rows) > 1:  # a task's rows are consecutive: no heading falls between them
            for column in MERGED_COLUMNS:
                ws.merge(rows[0], column, rows[-1], column)
    ws.ws.print_area = f"A1:M{ws.next - 1}"


def ledger_workbook(ledgers: list[PeriodLedger], tz: ZoneInfo, now: datetime) -> bytes:
    """One sheet per period and plan; `now` decides whether a missing report is already overdue
    and is the file's "made at" stamp (the same ledgers and `now` give the same bytes)."""
    book = new_workbook()
    for ledger, name in zip(ledgers, sheet_names(ledgers), strict=True):
        write_sheet(book, ledger, tz, now, name)
    if not ledgers:
        Rows(book, "台账", "（无数据）", HEADERS, WIDTHS).close()
    return to_bytes(book, now)
