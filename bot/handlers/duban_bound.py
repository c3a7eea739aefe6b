"""Telling people about their own binding: a contact bound while a ledger is open gets its
prompt at once, a unit first bound gets its assignment (交办) of the plans in force, and a
person unbound is told so. All queued in the binding's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.duban_assign import assignment_payload
from ledger.timetable import ledger_schedule
from messages import notices
from messages.i18n import Catalog
from messages.render import esc, split_message
from models import Contact, Unit
from services.assignments import assign
from services.audit import Actor
from services.due import languages
from services.newly_bound import open_prompts, plans_to_assign
from services.outbox import NewMessage, enqueue_many
from services.runtime import Runtime

texts = Catalog(
    {
        "unbound": {
            "zh": "您已不再是{unit}的{role}，今后不会再收到该单位的填报提醒。"
            "如有疑问，请联系市同城化发展工作局。",
            "en": "You are no longer {unit}'s {role}; you will get no more of its reminders. "
            "Questions: please contact the bureau.",
        },
        "contact": {"zh": "填报人", "en": "contact"},
        "principal": {"zh": "主要负责同志", "en": "principal"},
    }
)


async def queue_after_bind(
    session: AsyncSession,
    runtime: Runtime,
    contact_id: int,
    actor: Actor,
    answer: tuple[int, str],
) -> None:
    """The binding's own answer (chat, HTML text), then the open ledgers' prompts to the contact
    just bound, and the assignments of the plans in force to units that have not had theirs
    (assign sends each once per plan and unit). All are outbox rows of the binding's
    transaction; one chat's rows go in the order they were queued, so the answer comes first."""
    settings, now = runtime.settings, runtime.clock.now()
    rules = settings.calendar_rules()
    chat_id, text = answer
    payload: dict[str, Any] = {"text": text, "parse_mode": "HTML", "reply_markup": None, "meta": {}}
    await enqueue_many(session, [NewMessage("binding-answer", "", f"c{contact_id}", chat_id,
                                            payload, now)])  # fmt: skip
    prompts = await open_prompts(session, contact_id=contact_id, now=now, rules=rules,
                                 tz=settings.tz)  # fmt: skip
    await enqueue_many(session, [
        NewMessage("ledger-prompt", period.key, f"c{r.contact_id}", r.user_id,
                   notices.prompt(r, period.key, ledger_schedule(period, rules, settings.tz)
                                  .deadline, settings.locale, settings.public_url), now)
        for period, r in prompts
    ])  # fmt: skip
    for plan_id in await plans_to_assign(session, now=now, tz=settings.tz):
        await assign(session, plan_id=plan_id, now=now, actor=actor,
                     render=lambda r, a: assignment_payload(r, a, settings.locale))  # fmt: skip


async def queue_unbound(
    session: AsyncSession, contacts: list[Contact], now: datetime, default_lang: str
) -> None:
    """Each ended binding's person is told, in their language."""
    langs = await languages(session, {c.telegram_user_id for c in contacts})
    messages = []
    for contact in contacts:
        lang = langs.get(contact.telegram_user_id) or default_lang
        unit = await session.scalar(select(Unit.name).where(Unit.id == contact.unit_id)) or ""
        text = texts("unbound", lang, unit=esc(unit), role=texts(contact.role.value, lang))
        payload: dict[str, Any] = {"text": split_message(text)[0], "parse_mode": "HTML",
                                   "reply_markup": None, "meta": {}}  # fmt: skip
        messages.append(NewMessage("contact-unbound", f"b{contact.id}", f"c{contact.id}",
                                   contact.telegram_user_id, payload, now))  # fmt: skip
    await enqueue_many(session, messages)
