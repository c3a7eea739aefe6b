"""The messages a stored report and its review cause, queued in the change's transaction.

Handlers call these inside the session that stored the entry or the review; the rows are
sent by the dispatcher (services.change_notices), so a crash between the commit and the
send loses nothing: the message goes out after the restart.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.access import Caller
from bot.handlers.duban_close import close_keyboard
from bot.handlers.history_texts import since_approved
from bot.handlers.report_texts import approval_keyboard, or_none, status_text, texts
from ledger.vocab import EntryState
from messages.render import esc, split_message
from models import ProgressEntry
from services import change_notices
from services.closures import may_ask_closure
from services.history import changes_since_approved, entry_attachments
from services.identity import language_of
from services.reporting import Recorded
from services.reviewing import Reviewed
from services.runtime import Runtime


def _decided_text(request: dict[str, Any], decided: str) -> str:
    return split_message(f"{request['text']}\n\n{decided}")[0]


def _payload(
    text: str, parse_mode: str | None = None, markup: InlineKeyboardMarkup | None = None
) -> dict[str, Any]:
    return {
        "text": split_message(text)[0],
        "parse_mode": parse_mode,
        "reply_markup": markup.to_dict() if markup else None,
    }


def _confirmation(
    recorded: Recorded, number: int, lang: str, closable: bool = False
) -> dict[str, Any]:
    entry = recorded.entry
    if entry.state == EntryState.SUBMITTED:
        tail = texts("tail_approval" if recorded.principals else "tail_approval_self", lang)
    else:
        tail = texts("tail_counted", lang)
    if entry.late:
        tail += texts("tail_late", lang)
    text = texts(
        "submitted", lang, number=number, period=entry.period, version=entry.version, tail=tail
    )
    return _payload(text, markup=close_keyboard(entry.task_id, lang) if closable else None)


async def queue_after_submit(
    session: AsyncSession, runtime: Runtime, who: Caller, recorded: Recorded, number: int
) -> bool:
    """The confirmation to the reporter and the 审定 request to each principal. For a
    redelivered report, its confirmation again; False when there is none to send again."""
    entry, now = recorded.entry, runtime.clock.now()
    if recorded.duplicate:
        return await change_notices.resend_confirmation(session, entry, who.chat_id, now)
    closable = await may_ask_closure(session, entry)  # a lead's 已完成: [申请销号]
    confirmation = _confirmation(recorded, number, who.lang, closable)
    await change_notices.enqueue(
        session, change_notices.CONFIRMATION, entry, who.chat_id, confirmation, now
    )
    await queue_approval_requests(session, runtime, recorded, number)
    return True


async def queue_approval_requests(
    session: AsyncSession, runtime: Runtime, recorded: Recorded, number: int
) -> None:
    """The 审定 request (with its buttons) to each principal of the entry's unit."""
    entry, now = recorded.entry, runtime.clock.now()
    changed = await changes_since_approved(session, entry.id) if recorded.principals else None
    files = await entry_attachments(session, entry.id) if recorded.principals else []
    for reviewer in recorded.principals:
        lang = await language_of(session, reviewer, runtime.settings.locale)
        text = texts(
            "approval_request",
            lang,
            unit=esc(recorded.unit_name),
            period=entry.period,
            number=number,
            version=entry.version,
            status=status_text(entry.status, lang),
            progress=or_none(entry.progress, lang),
            problems=or_none(entry.problems, lang),
            next_steps=or_none(entry.next_steps, lang),
            reporter=esc(entry.reporter_name or entry.reporter_user_id),
        )
        if changed is not None:  # a version was approved before: what this one changes
            text += "\n" + since_approved(changed, lang)
        request = _payload(text, "HTML", approval_keyboard(entry.id, lang))
        await change_notices.enqueue(
            session, change_notices.APPROVAL_REQUEST, entry, reviewer, request, now
        )
        for i, item in enumerate(files, 1):  # the evidence, right after the request
            caption = texts("evidence_caption", lang, number=number, i=i, n=len(files))
            attachment = {"file_id": item.file_id, "file_kind": item.kind, "caption": caption}
            await change_notices.enqueue(
                session, change_notices.APPROVAL_EVIDENCE, entry, reviewer, attachment, now,
                part=f":e{i}",
            )  # fmt: skip


async def queue_confirmation(
    session: AsyncSession, runtime: Runtime, who: Caller, recorded: Recorded, text: str
) -> None:
    """One confirmation for several entries stored together, tied to the first of them."""
    await change_notices.enqueue(
        session, change_notices.CONFIRMATION, recorded.entry, who.chat_id, _payload(text),
        runtime.clock.now(),
    )  # fmt: skip


async def queue_after_review(
    session: AsyncSession, runtime: Runtime, who: Caller, reviewed: Reviewed, note: str | None
) -> None:
    """The acknowledgement to the reviewer and the outcome to the reporter (the reason as
    typed: escaped for HTML and sent as HTML, so `<数据> & 附件` arrives as written)."""
    entry, now = reviewed.entry, runtime.clock.now()
    key = "approved" if reviewed.approved else "returned"
    done = texts(key, who.lang, unit=reviewed.unit_name, number=reviewed.task_number)
    await change_notices.enqueue(
        session, change_notices.REVIEW_DONE, entry, who.chat_id, _payload(done), now
    )
    await queue_decided_requests(session, runtime, entry, approved=reviewed.approved)
    reporter = entry.reporter_user_id
    if not reporter:
        return
    lang = await language_of(session, reporter, runtime.settings.locale)
    outcome = texts(
        f"{key}_notice",
        lang,
        number=reviewed.task_number,
        period=entry.period,
        reason=esc(note or ""),
    )
    await change_notices.enqueue(
        session, change_notices.REVIEW_OUTCOME, entry, reporter, _payload(outcome, "HTML"), now
    )


async def queue_decided_requests(
    session: AsyncSession, runtime: Runtime, entry: ProgressEntry, *, approved: bool
) -> None:
    """Every principal's 审定 request about a decided entry shows the outcome without buttons:
    a delivered copy is edited (an outbox row), one still unsent goes out decided instead."""
    now, key = runtime.clock.now(), "approved" if approved else "returned"
    for request in await change_notices.sent_requests(session, entry):
        lang = await language_of(session, request.chat_id, runtime.settings.locale)
        edited = {
            "text": _decided_text(request.payload, texts(f"decided_{key}", lang)),
            "parse_mode": "HTML",
            "edit_message_id": request.sent_message_id,
        }
        await change_notices.enqueue(
            session, change_notices.APPROVAL_DECIDED, entry, request.chat_id, edited, now
        )
    for request in await change_notices.unsent_requests(session, entry):
        lang = await language_of(session, request.chat_id, runtime.settings.locale)
        decided = texts(f"decided_{key}", lang)
        payload = {**request.payload, "text": _decided_text(request.payload, decided),
                   "reply_markup": None}  # fmt: skip
        await change_notices.replace_unsent(session, request, payload)
