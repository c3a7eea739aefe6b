"""Texts and keyboards of the reporting and approval flows."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Catalog
from ledger.reports import STATUS_LABELS, status_label
from ledger.vocab import EntryStatus
from messages import buttons
from messages.render import esc, shorten

texts = Catalog(
    {
        "tasks_header": {
            "zh": "<b>{unit}</b> {period} 应报任务：",
            "en": "<b>{unit}</b> tasks for {period}:",
        },
        "no_tasks": {
            "zh": "{unit}本期没有需要填报的任务。",
            "en": "{unit} owes no report this period.",
        },
        "pick_status": {
            "zh": "任务 {number}：{text}\n请选择完成状态：",
            "en": "Task {number}: {text}\nChoose the status:",
        },
        "ask_progress": {
            "zh": "任务 {number}（{status}）\n请回复<b>进展情况</b>：",
            "en": "Task {number} ({status})\nReply with the <b>progress</b>:",
        },
        "ask_problems": {
            "zh": "请回复<b>存在问题</b>（可跳过）：",
            "en": "Reply with <b>problems</b> (optional):",
        },
        "ask_next_steps": {
            "zh": "请回复<b>下步打算</b>（可跳过）：",
            "en": "Reply with the <b>next steps</b> (optional):",
        },
        "summary": {
            "zh": "<b>请核对</b> {period} 任务 {number}\n状态：{status}\n进展情况：{progress}\n"
            "存在问题：{problems}\n下步打算：{next_steps}\n附件：{evidence} 个",
            "en": "<b>Please check</b> {period} task {number}\nStatus: {status}\n"
            "Progress: {progress}\nProblems: {problems}\nNext steps: {next_steps}\n"
            "Attachments: {evidence}",
        },
        "submitted": {
            "zh": "已提交：任务 {number}（{period}，第{version}版）。{tail}",
            "en": "Submitted: task {number} ({period}, version {version}). {tail}",
        },
        "tail_approval": {
            "zh": "已送主要负责同志审定。",
            "en": "Sent to your principal for approval.",
        },
        "tail_counted": {
            "zh": "已计入本期台账（本单位未绑定主要负责同志，未经审定）。",
            "en": "It counts for this period (not reviewed: your unit has no bound principal).",
        },
        "tail_approval_self": {
            "zh": "您本人是本单位主要负责同志，不能审定自己填报的内容，"
            "需由本单位其他主要负责同志审定。",
            "en": "You are also your unit's principal and cannot approve your own report: another "
            "principal of your unit must approve it.",
        },
        "ambiguous_task": {
            "zh": "本期有多个计划都有任务 {number}，请选择计划：",
            "en": "Several plans have a task {number} this period; choose the plan:",
        },
        "plan_tasks_header": {"zh": "【{plan}】", "en": "[{plan}]"},
        "tail_late": {"zh": "（逾期提交）", "en": "(submitted late)"},
        "duplicate": {"zh": "该内容已记录，无需重复提交。", "en": "This was already recorded."},
        "cancelled": {"zh": "已取消本次填报。", "en": "Report cancelled."},
        "nothing_to_cancel": {"zh": "当前没有正在进行的填报。", "en": "Nothing to cancel."},
        "evidence_saved": {
            "zh": "已收到附件，将随本次填报一并提交。",
            "en": "Attachment received; it will be submitted with this report.",
        },
        "evidence_no_flow": {
            "zh": "请先选择任务再发送附件（/tasks）。",
            "en": "Choose a task first, then send attachments (/tasks).",
        },
        "not_understood": {
            "zh": "没有理解您的消息。填报请使用 /tasks 或回复每月提示；帮助请发送 /help。",
            "en": "I did not understand. To report use /tasks or reply to the monthly prompt; "
            "see /help.",
        },
        "need_text": {"zh": "请发送文字内容。", "en": "Please send text."},
        "stale_button": {
            "zh": "该按钮已失效，请重新选择任务（/tasks）。",
            "en": "This button has expired; choose the task again (/tasks).",
        },
        "report_usage": {
            "zh": "用法：/report 任务号 状态 内容\n状态：已完成、序时推进、滞后、未启动\n"
            "例：/report 5 序时推进 路基工程完成70%\n多个计划都有该任务号时，在任务号前加计划简称："
            "/report 工作要点/5 序时推进 …",
            "en": "Usage: /report N status text\nstatus: done, on_track, behind, not_started\n"
            "e.g. /report 5 on_track roadbed 70% complete\nWhen several plans have task N, put "
            "the plan's code first: /report CODE/5 on_track …",
        },
        "report_bad_number": {"zh": "任务号应为数字。", "en": "The task number must be a number."},
        "report_bad_status": {
            "zh": "状态应为：已完成、序时推进、滞后、未启动。",
            "en": "Status must be one of: done, on_track, behind, not_started.",
        },
        "report_too_long": {"zh": "内容过长（最多3000字）。", "en": "Text too long (3000 max)."},
        "not_contact": {
            "zh": "只有责任单位的填报人可以填报。",
            "en": "Only a unit's reporting contact can report.",
        },
        "task_not_yours": {
            "zh": "任务 {number} 不属于您单位本期的填报任务，请用 /tasks 查看。",
            "en": "Task {number} is not one your unit reports on this period; see /tasks.",
        },
        "approval_request": {
            "zh": "<b>待审定</b> {unit} {period} 任务 {number}（第{version}版）\n状态：{status}\n"
            "进展情况：{progress}\n存在问题：{problems}\n下步打算：{next_steps}\n填报人：{reporter}",
            "en": "<b>For approval</b> {unit} {period} task {number} (version {version})\n"
            "Status: {status}\nProgress: {progress}\nProblems: {problems}\n"
            "Next steps: {next_steps}\nReported by: {reporter}",
        },
        "decided_approved": {"zh": "✅ 已审定通过", "en": "✅ Approved"},
        "decided_returned": {"zh": "↩ 已退回修改", "en": "↩ Returned for changes"},
        "evidence_caption": {
            "zh": "任务 {number} 附件 {i}/{n}",
            "en": "Task {number}, attachment {i} of {n}",
        },
        "ask_return_reason": {
            "zh": "请回复退回原因（任务 {number}）：",
            "en": "Reply with the reason for returning task {number}:",
        },
        "approved": {
            "zh": "已审定通过：{unit} 任务 {number}。",
            "en": "Approved: {unit} task {number}.",
        },
        "returned": {
            "zh": "已退回：{unit} 任务 {number}。",
            "en": "Returned: {unit} task {number}.",
        },
        "approved_notice": {
            "zh": "任务 {number}（{period}）已审定通过。",
            "en": "Task {number} ({period}) was approved.",
        },
        "returned_notice": {
            "zh": "任务 {number}（{period}）被退回修改，原因：{reason}\n请重新填报（/tasks）。",
            "en": "Task {number} ({period}) was returned: {reason}\nPlease report again (/tasks).",
        },
        "not_your_entry": {"zh": "您无权审定该条目。", "en": "You cannot review this entry."},
        "already_reviewed": {
            "zh": "该条目已审定或已有新版本。",
            "en": "This entry was already reviewed or has a newer version.",
        },
        "own_entry": {
            "zh": "不能审定自己填报的内容：需由本单位其他主要负责同志审定。",
            "en": "You cannot approve your own report: another principal of your unit must.",
        },
        "none": {"zh": "无", "en": "none"},
        "btn_submit": {"zh": "提交", "en": "Submit"},
        "btn_edit": {"zh": "修改", "en": "Edit"},
        "btn_skip": {"zh": "跳过", "en": "Skip"},
        "btn_approve": {"zh": "审定通过", "en": "Approve"},
        "btn_return": {"zh": "退回修改", "en": "Return"},
    }
)


def status_keyboard(lang: str) -> InlineKeyboardMarkup:
    keys = [
        InlineKeyboardButton(
            status_label(s, lang), callback_data=buttons.encode(buttons.PickStatus(s))
        )
        for s in STATUS_LABELS
    ]
    return InlineKeyboardMarkup([keys[:2], keys[2:]])


def skip_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("btn_skip", lang), callback_data=buttons.encode(buttons.SkipStep())
                )
            ]
        ]
    )


def confirm_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("btn_submit", lang), callback_data=buttons.encode(buttons.Confirm("s"))
                ),
                InlineKeyboardButton(
                    texts("btn_edit", lang), callback_data=buttons.encode(buttons.Confirm("e"))
                ),
            ]
        ]
    )


def approval_keyboard(entry_id: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("btn_approve", lang),
                    callback_data=buttons.encode(buttons.Approve(entry_id)),
                ),
                InlineKeyboardButton(
                    texts("btn_return", lang),
                    callback_data=buttons.encode(buttons.Return(entry_id)),
                ),
            ]
        ]
    )


def or_none(value: str | None, lang: str) -> str:
    return esc(value) if value else texts("none", lang)


def status_text(value: str, lang: str) -> str:
    return status_label(EntryStatus(value), lang)


def plan_choice_keyboard(options: list[tuple[int, str, str]]) -> InlineKeyboardMarkup:
    """One button per plan that has the task: (task id, plan code, plan title)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{code}：{shorten(title, 30)}",
                    callback_data=buttons.encode(buttons.PickPlan(task_id)),
                )
            ]
            for task_id, code, title in options
        ]
    )
