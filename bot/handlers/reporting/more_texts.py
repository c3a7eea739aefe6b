"""Texts and keyboards of the contact's chat beyond the basic flow: task states, the edit menu,
a report after 退回, several tasks in one message, and the answer to text not understood."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from messages import buttons
from messages.i18n import Catalog

texts = Catalog(
    {
        "task_line": {"zh": "{number}. {text}【{state}】", "en": "{number}. {text} [{state}]"},
        "not_understood": {
            "zh": "没有理解您的消息。填报请点击下方任务，或回复“任务号 状态 进展”"
            "（如“5. 序时推进 路基完成70%”）；帮助请发送 /help。",
            "en": "I did not understand. To report, tap a task below or send “task number, "
            "status, progress” (e.g. “5. on_track roadbed 70% done”); see /help.",
        },
        "summary_hint": {
            "zh": "请点击[提交]或[修改]；也可直接发送“进展：…”“问题：…”“下步：…”替换该项。",
            "en": "Tap [Submit] or [Edit]; or send “progress: …”, “problems: …” or "
            "“next steps: …” to replace that part.",
        },
        "edit_which": {"zh": "请选择要修改的内容：", "en": "What do you want to change?"},
        "ask_evidence": {
            "zh": "原附件已清除。请发送新的照片或文件，完成后点击[跳过]返回核对。",
            "en": "The attachments were removed. Send new photos or files, then tap [Skip] to "
            "return to the summary.",
        },
        "edit_applied": {
            "zh": "已按修改后的消息更新“{field}”。",
            "en": "“{field}” now reads as the edited message.",
        },
        "edit_not_recorded": {
            "zh": "修改已发送的消息不会被记录。如需更正已提交的内容，请用 /tasks 选择该任务重新填报"
            "（生成新版本）；正在填报时可在核对页点击[修改]。",
            "en": "Edits to sent messages are not recorded. To correct a submitted report, "
            "report the task again from /tasks (a new version); while reporting, use [Edit] "
            "at the summary.",
        },
        "field_status": {"zh": "完成状态", "en": "Status"},
        "field_progress": {"zh": "进展情况", "en": "Progress"},
        "field_problems": {"zh": "存在问题", "en": "Problems"},
        "field_next_steps": {"zh": "下步打算", "en": "Next steps"},
        "field_evidence": {"zh": "附件", "en": "Attachments"},
        "returned_start": {
            "zh": "任务 {number} 第{version}版已被退回。退回理由：{reason}\n"
            "以下按退回的版本预填，请修改后提交。",
            "en": "Version {version} of task {number} was returned. Reason: {reason}\n"
            "The report below starts from it: change what is needed, then submit.",
        },
        "no_reason": {"zh": "（未说明）", "en": "(none given)"},
        "several": {
            "zh": "<b>请核对</b> {period} 共 {n} 项：\n{lines}\n确认无误请点击[提交全部]。",
            "en": "<b>Please check</b> {period}, {n} tasks:\n{lines}\nTap [Submit all] to "
            "submit them together.",
        },
        "several_line": {
            "zh": "任务 {number}（{status}）：{text}",
            "en": "Task {number} ({status}): {text}",
        },
        "several_no_status": {
            "zh": "任务 {number} 缺少完成状态（已完成、序时推进、滞后、未启动），"
            "请补充后重新发送。",
            "en": "Task {number} has no status (done, on_track, behind, not_started); add it and "
            "send again.",
        },
        "several_done": {
            "zh": "已提交 {n} 项：任务 {numbers}（{period}）。",
            "en": "Submitted {n} tasks: {numbers} ({period}).",
        },
        "btn_submit_all": {"zh": "提交全部", "en": "Submit all"},
    }
)


def edit_keyboard(lang: str) -> InlineKeyboardMarkup:
    keys = [
        InlineKeyboardButton(
            texts(f"field_{field}", lang), callback_data=buttons.encode(buttons.EditField(field))
        )
        for field in buttons.EditField.FIELDS
    ]
    return InlineKeyboardMarkup([keys[:3], keys[3:]])


def submit_all_keyboard(lang: str) -> InlineKeyboardMarkup:
    data = buttons.encode(buttons.SubmitAll())
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts("btn_submit_all", lang), callback_data=data)]]
    )
