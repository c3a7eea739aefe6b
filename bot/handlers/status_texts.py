"""The words of /status and /overdue, in Chinese and English."""

from __future__ import annotations

from bot.i18n import Catalog

texts = Catalog(
    {
        "header": {
            "zh": "<b>{period} 台账</b>（{plan}）\n应报 {owed} · 已报 {submitted} · 待审定 "
            "{awaiting} · 未报 {missing}（其中逾期 {overdue}） · 迟报 {late}",
            "en": "<b>Ledger {period}</b> ({plan})\nowed {owed} · submitted {submitted} · "
            "awaiting approval {awaiting} · missing {missing} (overdue {overdue}) · late {late}",
        },
        "unbound_note": {
            "zh": "⚪ 未绑定填报人的单位 {n} 个（从未收到提醒，请发送邀请码）",
            "en": "⚪ {n} units have no bound contact (never prompted: send an invite code)",
        },
        "unbound": {"zh": "（未绑定）", "en": " (no contact)"},
        "support_totals": {
            "zh": "其中配合单位反馈：应报 {owed} · 已报 {submitted}",
            "en": "of which supporting units' input: owed {owed} · submitted {submitted}",
        },
        "support": {
            "zh": "，配合反馈{submitted}/{owed}",
            "en": ", support input {submitted}/{owed}",
        },
        "unit_line": {
            "zh": "{light} {unit}：{submitted}/{owed}{extra}",
            "en": "{light} {unit}: {submitted}/{owed}{extra}",
        },
        "awaiting": {"zh": "，待审定{n}", "en": ", {n} awaiting approval"},
        "late": {"zh": "，逾期{n}", "en": ", {n} late"},
        "entry_line": {
            "zh": "  · 任务{task} {status}{late}：{text}",
            "en": "  · task {task} {status}{late}: {text}",
        },
        "late_mark": {"zh": "（逾期）", "en": " (late)"},
        "no_plan": {
            "zh": "{period} 没有计划覆盖：本期无需报送台账。",
            "en": "No plan covers {period}: nothing is owed for it.",
        },
        "unknown_unit": {"zh": "没有找到单位或任务：{name}", "en": "No unit or task called {name}"},
        "task_header": {
            "zh": "<b>任务 {number}</b>（{plan}，{period}）：{text}",
            "en": "<b>Task {number}</b> ({plan}, {period}): {text}",
        },
        "overdue_header": {
            "zh": "<b>{period} 逾期未报</b>（截止 {deadline}）",
            "en": "<b>Overdue for {period}</b> (deadline {deadline})",
        },
        "none_overdue": {
            "zh": "{period} 暂无逾期未报单位。",
            "en": "No unit is overdue for {period}.",
        },
        "bad_period": {
            "zh": "无法识别的期次：{word}（格式：YYYY-MM，如 2023-03）",
            "en": "Not a period: {word} (use YYYY-MM, e.g. 2023-03)",
        },
        "future_period": {
            "zh": "{period} 尚未开始填报（当前为 {current}）。",
            "en": "{period} has not started yet (the current period is {current}).",
        },
        "overdue_usage": {"zh": "用法：/overdue [YYYY-MM]", "en": "Usage: /overdue [YYYY-MM]"},
        "page": {"zh": "第 {page}/{pages} 页", "en": "page {page}/{pages}"},
    }
)
