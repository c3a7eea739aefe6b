"""The words of a plan upload: the dry run, the import's report, refusals."""

from __future__ import annotations

from bot.i18n import Catalog
from services.importer import ImportReport
from services.plan_upload import DryRun

SHOWN = 20  # lines per kind in a chat message; the CLI's --json has them all

texts = Catalog(
    {
        "dry_run": {
            "zh": "📄 {name}（试导入，尚未写入）\n计划：{year} {title}\n填报期：{first} 至 {last}\n"
            "{sections} 个部分，{tasks} 项任务，{units} 个责任单位：\n{unit_list}",
            "en": "📄 {name} (dry run, nothing written yet)\nPlan: {year} {title}\n"
            "Owed: {first} to {last}\n{sections} sections, {tasks} tasks, {units} units:\n"
            "{unit_list}",
        },
        "warnings": {"zh": "⚠ 提示 {n} 条：", "en": "⚠ {n} warning(s):"},
        "import": {"zh": "导入", "en": "Import"},
        "cancel": {"zh": "取消", "en": "Cancel"},
        "cancelled": {"zh": "已取消，未导入。", "en": "Cancelled; nothing imported."},
        "stale": {
            "zh": "该试导入已失效，请重新发送文件。",
            "en": "This dry run is no longer current; send the file again.",
        },
        "too_large": {
            "zh": "{name} 超过 {mb} MB，未读取（LEDGERBOT_IMPORT_MAX_FILE_MB）。",
            "en": "{name} is over {mb} MB; not read (LEDGERBOT_IMPORT_MAX_FILE_MB).",
        },
        "unreadable": {
            "zh": "无法导入 {name}：{reason}",
            "en": "Cannot import {name}: {reason}",
        },
        "imported": {
            "zh": "✅ 已导入{state}：{year} {title}［{code}］，{tasks} 项任务，"
            "填报期 {first} 至 {last}",
            "en": "✅ Imported{state}: {year} {title} [{code}], {tasks} tasks, "
            "owed {first} to {last}",
        },
        "new_plan": {"zh": "新计划", "en": " a new plan"},
        "no_changes": {
            "zh": "与已有计划相同，无改动。",
            "en": "Same as the stored plan: no changes.",
        },
        "counts": {
            "zh": "新增任务 {added}，修改 {changed}，停用 {removed}，新增单位 {units}",
            "en": "tasks added {added}, changed {changed}, made inactive {removed}; "
            "new units {units}",
        },
    }
)


def _warning_lines(warnings: list[str], lang: str) -> list[str]:
    if not warnings:
        return []
    more = [f"… +{len(warnings) - SHOWN}"] if len(warnings) > SHOWN else []
    return [texts("warnings", lang, n=len(warnings)), *(f"· {w}" for w in warnings[:SHOWN]), *more]


def dry_run_text(found: DryRun, name: str, lang: str) -> str:
    units = "、".join(found.units[:SHOWN]) + (" …" if len(found.units) > SHOWN else "")
    head = texts(
        "dry_run", lang, name=name, year=found.year, title=found.title,
        first=found.window.first.key, last=found.window.last.key, sections=found.sections,
        tasks=found.tasks, units=len(found.units), unit_list=units or "—",
    )  # fmt: skip
    return "\n".join([head, *_warning_lines(found.warnings, lang)])


def report_text(report: ImportReport, lang: str) -> str:
    plan = report.plan
    lines = [
        texts(
            "imported", lang, state=texts("new_plan", lang) if plan["created"] else "",
            year=plan["year"], title=plan["title"], code=plan["code"], tasks=plan["tasks"],
            first=plan["window"]["from"], last=plan["window"]["until"],
        )
    ]  # fmt: skip
    if not report.changed:
        lines.append(texts("no_changes", lang))
    else:
        lines.append(
            texts(
                "counts", lang, added=len(report.added_tasks), changed=len(report.changed_tasks),
                removed=len(report.removed_tasks), units=len(report.new_units),
            )
        )  # fmt: skip
        lines += [f"+ {u['name']}" for u in report.new_units[:SHOWN]]
    return "\n".join([*lines, *_warning_lines(report.warnings, lang)])
