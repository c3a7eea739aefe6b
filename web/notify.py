"""Messages that follow a write from the Mini App, enqueued in the outbox in the write's own
transaction: the 审定 request to a unit's principals, the outcome to the reporter. Same texts
and buttons as the chat's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.constants import ParseMode

from bot.handlers.report_texts import approval_keyboard, or_none, status_text, texts
from messages.render import esc
from services import outbox
from services.identity import language_of
from services.reporting import Recorded
from services.reviewing import Reviewed


async def ask_approval(
    session: AsyncSession, recorded: Recorded, number: int, *, locale: str, now: datetime
) -> None:
    entry = recorded.entry
    for reviewer in recorded.principals:
        lang = await language_of(session, reviewer, locale)
        text = texts(
            "approval_request", lang, unit=esc(recorded.unit_name), period=entry.period,
            number=number, version=entry.version, status=status_text(entry.status, lang),
            progress=or_none(entry.progress, lang), problems=or_none(entry.problems, lang),
            next_steps=or_none(entry.next_steps, lang),
            reporter=esc(entry.reporter_name or entry.reporter_user_id),
        )  # fmt: skip
        await outbox.enqueue(
            session,
            kind="approval-request",
            period=entry.period,
            recipient=f"{reviewer}/entry-{entry.id}",
            chat_id=reviewer,
            payload={
                "text": text,
                "parse_mode": ParseMode.HTML.value,
                "reply_markup": approval_keyboard(entry.id, lang).to_dict(),
            },
            not_before=now,
        )


async def tell_reporter(
    session: AsyncSession, reviewed: Reviewed, note: str | None, *, locale: str, now: datetime
) -> None:
    entry = reviewed.entry
    if entry.reporter_user_id is None:
        return
    lang = await language_of(session, entry.reporter_user_id, locale)
    key = "approved_notice" if reviewed.approved else "returned_notice"
    text = texts(key, lang, number=reviewed.task_number, period=entry.period,
                 reason=esc(note or ""))  # fmt: skip
    await outbox.enqueue(
        session,
        kind="review-outcome",
        period=entry.period,
        recipient=f"{entry.reporter_user_id}/entry-{entry.id}",
        chat_id=entry.reporter_user_id,
        payload={"text": text, "parse_mode": ParseMode.HTML.value},
        not_before=now,
    )
