"""Reporting in private chats: /tasks, /report, the step-by-step flow (steps.py), its buttons
(presses.py), evidence (evidence.py), several tasks in one message (several.py) and the
free-text router (router.py)."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotApplication
from bot.handlers.reporting import evidence, presses, router, several, submitting, tasks
from messages import buttons


def register(application: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("tasks", tasks.tasks_command))
    application.add_handler(CommandHandler("report", submitting.report_command))
    application.add_handler(CommandHandler("cancel", tasks.cancel))
    for handler, payloads in (
        (presses.task_chosen, (buttons.PickTask, buttons.LegacyTask)),
        (submitting.plan_chosen, (buttons.PickPlan,)),
        (presses.status_chosen, (buttons.PickStatus,)),
        (presses.skip_step, (buttons.SkipStep,)),
        (presses.confirm_chosen, (buttons.Confirm,)),
        (presses.field_chosen, (buttons.EditField,)),
        (several.submit_all, (buttons.SubmitAll,)),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=buttons.pattern(*payloads)))
    application.add_handler(
        MessageHandler(private & (filters.PHOTO | filters.Document.ALL), evidence.evidence_received)
    )
    # Note: order matters — commands are matched above, so only plain text reaches here;
    # an edited message is an edit, never a new answer.
    edited = filters.UpdateType.EDITED_MESSAGE
    application.add_handler(MessageHandler(private & edited & filters.TEXT, router.edited_received))
    application.add_handler(
        MessageHandler(
            private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
            router.text_received,
        )
    )
