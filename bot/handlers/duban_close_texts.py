"""Texts of 销号 (the request, both decisions, the unit told, /reopen) and the /status line."""

from __future__ import annotations

from datetime import date

from messages.i18n import Catalog

texts = Catalog(
    {
        "usage": {"zh": "用法：/close 任务序号", "en": "Usage: /close N"},
        "btn_request": {"zh": "申请销号", "en": "Ask to close"},
        "reopen_usage": {"zh": "用法：/reopen 单位名称 任务序号", "en": "Usage: /reopen UNIT N"},
        "ambiguous": {
            "zh": "本期有多个计划都有任务 {number}，请写明计划，例如 /close 要点/{number}",
            "en": "Several plans have a task {number}; name the plan: /close CODE/{number}",
        },
        "close_not_lead": {
            "zh": "只有牵头单位可以申请任务 {number} 销号。",
            "en": "Only the lead unit can ask to close task {number}.",
        },
        "close_not_done": {
            "zh": "任务 {number} 本期报送的完成状态须为“已完成”才能申请销号。",
            "en": "Task {number} must be reported 已完成 (done) this period before closing.",
        },
        "close_pending": {
            "zh": "任务 {number} 已有待审核的销号申请。",
            "en": "Task {number} already has a closing request under way.",
        },
        "close_already": {"zh": "任务 {number} 已销号。", "en": "Task {number} is closed already."},
        "requested": {
            "zh": "已提交任务 {number} 销号申请，等待审核。",
            "en": "Closing of task {number} requested; waiting for approval.",
        },
        "ask_principal": {
            "zh": "<b>销号申请</b>：{unit} 任务 {number}：{text}\n本期报送为“已完成”，请审核：",
            "en": "<b>Closing request</b>: {unit}, task {number}: {text}\nreported done; approve?",
        },
        "ask_staff": {
            "zh": "<b>销号待确认</b>：{unit} 任务 {number}：{text}",
            "en": "<b>Closing to confirm</b>: {unit}, task {number}: {text}",
        },
        "yes_p": {"zh": "同意销号", "en": "Approve"},
        "yes_s": {"zh": "确认销号", "en": "Confirm closing"},
        "no": {"zh": "退回", "en": "Send back"},
        "outcome_awaiting_staff": {"zh": "✅ 已同意，待市局确认", "en": "✅ Approved"},
        "outcome_closed": {"zh": "✅ 已销号（{day}）", "en": "✅ Closed ({day})"},
        "outcome_returned": {"zh": "↩️ 已退回：{reason}", "en": "↩️ Sent back: {reason}"},
        "returned_ack": {
            "zh": "已告知 {unit}：任务 {number} 销号申请已退回。",
            "en": "{unit} told: closing task {number} is sent back.",
        },
        "told_closed": {
            "zh": "{unit} 任务 {number} 已销号（{day}），今后不再要求报送。",
            "en": "{unit}: task {number} is closed ({day}); no more reports are asked.",
        },
        "told_returned": {
            "zh": "销号申请被退回：{reason}\n{unit} 任务 {number} 请继续按期报送。",
            "en": "Closing sent back: {reason}\n{unit}: keep reporting on task {number}.",
        },
        "told_reopened": {
            "zh": "{unit} 任务 {number} 已重新启用，请继续按期报送。",
            "en": "{unit}: task {number} is reopened; please report on it again.",
        },
        "closure_decided": {"zh": "该销号申请已处理。", "en": "This request has been decided."},
        "closure_gone": {"zh": "该销号申请不存在。", "en": "No such closing request."},
        "closure_not_yours": {
            "zh": "抱歉，您无权使用此功能。如需使用，请联系市同城化发展工作局。",
            "en": "Sorry, you are not allowed to do this. Please contact the bureau.",
        },
        "reopen_none": {"zh": "没有已销号的任务 {number}。", "en": "No closed task {number}."},
        "reopen_ambiguous": {
            "zh": "多个计划都有已销号的任务 {number}，请写明计划：/reopen 单位 要点/{number}",
            "en": "Several plans have a closed task {number}: /reopen UNIT CODE/{number}",
        },
        "unknown_unit": {"zh": "没有找到单位：{name}", "en": "No unit called {name}"},
        "closed_line": {"zh": "已销号：{tasks}", "en": "closed: {tasks}"},
        "closed_task": {"zh": "任务{number}（{day}）", "en": "task {number} ({day})"},
    }
)


def closed_line(closed: list[tuple[int, date]], lang: str) -> str:
    """已销号：任务5（2023-04-12）… for /status UNIT; "" when nothing is closed."""
    if not closed:
        return ""
    tasks = "、".join(texts("closed_task", lang, number=n, day=d.isoformat()) for n, d in closed)
    return texts("closed_line", lang, tasks=tasks)
