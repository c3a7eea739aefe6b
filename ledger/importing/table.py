"""Tables (real or flattened): map header synonyms to roles, then read rows by role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from ledger.importing.builder import PlanBuilder, split_heading
from ledger.importing.limits import check_time
from ledger.importing.normalize import cn_to_int, normalize
from ledger.importing.roles import LeadRule, UnitText, resolve, strip_unit_tail

Progress = Callable[[int, int], None]

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "section": ("板块", "所属板块", "领域", "重点领域", "类别", "分类", "十件大事", "大事", "章节"),
    "number": ("序号", "编号", "任务编号", "序", "No", "No."),
    "text": (
        *("任务内容", "任务", "工作任务", "重点任务", "主要任务", "具体任务", "工作内容"),
        *("任务名称", "事项", "工作事项", "目标任务", "内容", "名称", "主要内容", "具体措施"),
        *("重点工作任务", "重点工作", "目标名称", "工作标准", "内容与要求", "督办事项"),
        *("督查事项", "工作目标", "主要目标", "工作举措", "工作措施", "推进措施", "主要措施"),
        *("具体内容", "工作要求", "目标要求", "任务目标", "重点事项", "事项名称", "项目名称"),
        *("建设内容", "项目内容", "工作重点", "主要工作"),
    ),
    "progress": ("进度安排", "进度", "时序进度", "推进计划", "季度目标", "工作进度"),
    "lead": (
        *("牵头单位", "牵头部门", "牵头", "主责单位", "主责部门", "牵头责任单位"),
        *("主办单位", "主办部门", "主要责任单位", "牵头责任部门", "责任牵头单位"),
    ),
    "resp": (
        *("责任单位", "责任部门", "单位", "承办单位", "责任主体", "责任科室", "责任股室"),
        *("承办部门", "实施单位", "落实单位", "责任主体单位"),
    ),
    "support": (
        *("配合单位", "配合部门", "协同单位", "协助单位", "参与单位", "协办单位"),
        *("协同责任单位", "协同配合单位", "配合责任单位", "协作单位", "协同部门", "参与部门"),
    ),
    "data": ("数据提供单位", "数据来源单位", "数据提供部门", "数据提供", "数据来源"),
    "deadline": (
        *("完成时限", "时间节点", "完成时间", "办结时限", "时限要求", "时限", "完成期限"),
        *("截止时间", "办理时限", "完成节点", "时间要求"),
    ),
    "note": ("进展情况", "完成情况", "备注", "推进情况", "工作进展", "目前进展"),
}
# Columns of people (责任领导, 分管领导, 牵头县领导, 区政府分管领导 …): read, never units.
_PEOPLE = re.compile(r"(?:领导|责任人|联系人|负责人)$")
_ROLE_OF = {name: role for role, names in _SYNONYMS.items() for name in names}
_HEADER_WORDS = ("任务", "内容", "事项", "名称", "措施", "标准", "目标", "工作", "举措", "要求")
_QUARTER = re.compile(r"^(?:第)?([一二三四1-4])季度(?:目标|进度|节点|安排|任务)?$|^Q([1-4])$", re.I)
_NUMBER = re.compile(r"\(?(\d{1,4})(?:\.0)?[).、]?")
REQUIRED = {"text": "任务内容", "lead": "牵头单位"}


def quarter_of(cell: str) -> str | None:
    """Quarter key "Q2" for 二季度/第二季度/2季度/Q2, else None."""
    match = _QUARTER.match(re.sub(r"\s+", "", cell))
    if not match:
        return None
    digit = match.group(1) or match.group(2)
    return f"Q{digit if digit.isdigit() else cn_to_int(digit)}"


def role_of(cell: str) -> str | None:
    """Role of one header cell, or None when it is not a known column name."""
    name = re.sub(r"\s+", "", normalize(cell)).strip(":*")
    if _PEOPLE.search(name) and len(name) <= 12:
        return "people"
    return quarter_of(name) or _ROLE_OF.get(name)


def map_header(cells: Sequence[str]) -> list[str | None] | None:
    """Roles per column if `cells` look like a task-table header, else None."""
    if not any(_maybe_header(c) for c in cells):
        return None
    roles = [role_of(c) for c in cells]
    if "text" not in roles or len({r for r in roles if r}) < 2:
        return None
    if "section" not in roles and "number" in roles:
        first = roles.index("number")
        roles = [
            "section" if i < first and not r and cells[i].strip() else r
            for i, r in enumerate(roles)
        ]
    return roles


def _maybe_header(cell: str) -> bool:
    """Cheap pre-check so data rows skip the full header mapping."""
    cell = "".join(cell.split())
    return len(cell) <= 12 and any(word in cell for word in _HEADER_WORDS)


def merge_subheader(roles: list[str | None], sub: Sequence[str]) -> list[str | None] | None:
    """Apply a second header row of quarters (一季度…) under 进度安排; None if it is not one."""
    quarters = [(i, q) for i, cell in enumerate(sub) if (q := quarter_of(normalize(cell)))]
    if len(quarters) < 2:
        return None
    if all(i < len(roles) and roles[i] in (None, "progress", "deadline") for i, _ in quarters):
        merged = list(roles)
        for i, quarter in quarters:
            merged[i] = quarter
        return merged
    spans = [r for r in ("progress", "deadline") if roles.count(r) == 1]
    if spans:
        at = roles.index(spans[0])
        return [*roles[:at], *(q for _, q in quarters), *roles[at + 1 :]]
    return None


def missing_required(roles: Sequence[str | None]) -> list[str]:
    """Template column names that a spreadsheet must have but `roles` lack."""
    present = {("lead" if r == "resp" else r) for r in roles}
    return [name for role, name in REQUIRED.items() if role not in present]


def as_number(cell: str) -> int | None:
    """Task number of a 序号 cell ("3", "3.0", "(3)", "三"), else None."""
    match = _NUMBER.fullmatch(cell.strip())
    return int(match.group(1)) if match else cn_to_int(cell.strip())


class RowReader:
    """Reads data rows of a mapped table into the builder."""

    def __init__(self, roles: list[str | None], builder: PlanBuilder, rule: LeadRule | None):
        self.roles = roles
        self.builder = builder
        self.rule = rule
        self.notes: list[str] = []

    def read(
        self, rows: Iterable[Sequence[str]], total: int = 0, progress: Progress | None = None
    ) -> None:
        """Parse every row; `progress(done, total)` is called about a hundred times."""
        step = max(1, total // 100) if total else 100
        done = 0
        for done, row in enumerate(rows, 1):
            check_time()
            self._row([normalize(c) for c in row])
            if progress is not None and done % step == 0:
                progress(done, max(total, done))
        if progress is not None and (done == 0 or done % step):
            progress(done, max(total, done))
        for note in self.notes:
            self.builder.warn(note)

    def _cells(self, row: list[str], role: str) -> list[str]:
        return [c.strip() for c, r in zip(row, self.roles, strict=False) if r == role and c.strip()]

    def _row(self, row: list[str]) -> None:
        values = {c.strip() for c in row if c.strip()}
        number_cell = next(iter(self._cells(row, "number")), "")
        text = " ".join(dict.fromkeys(self._cells(row, "text")))
        if not values:
            return
        filled = sum(1 for c in row if c.strip())
        if len(values) == 1 and as_number(number_cell) is None:
            heading = values.pop()
            if split_heading(heading)[0] or filled > 1:
                self.builder.open_section(heading)
                return
        section = self._cells(row, "section")
        if section:
            self.builder.open_section(section[0])
        if not text:
            if number_cell:
                self.builder.warn(f"row {number_cell}: no task text; skipped")
            return
        self._task(row, number_cell, text)

    def _task(self, row: list[str], number_cell: str, text: str) -> None:
        number = as_number(number_cell)
        if number is None:
            number = self.builder.last_number + 1
            if number_cell:
                self.builder.warn(f"task {number}: 序号 {number_cell!r} is not a number")
        units = UnitText()
        for kind in ("lead", "resp", "support", "data"):
            for cell in self._cells(row, kind):
                units.add(kind, cell)
        text = strip_unit_tail(text, units)
        milestones = {q: " ".join(self._cells(row, q)) for q in ("Q1", "Q2", "Q3", "Q4")}
        roles = resolve(units, self.rule, self.notes)
        deadline = " ".join(self._cells(row, "deadline")) or units.deadline_text()
        self.builder.add_task(number, text, roles, milestones, in_cell=True, deadline=deadline)
