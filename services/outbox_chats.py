"""Outbox rows that follow a chat: a group that became a supergroup, a user who blocked the bot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ChatType
from models import Chat, Contact, OutboxMessage, Staff
from services.outbox import OPEN_STATES, NewMessage, enqueue_many

UNREACHABLE_NOTICE = "unreachable-notice"


async def reroute_chat(session: AsyncSession, *, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: follow it in `chats` and in every open outbox row.

    The chat row takes the new id (subscriptions follow the chat); when the supergroup is
    already known, the old row keeps its id and points at it through ``migrated_to``.
    """
    old = await session.scalar(select(Chat).where(Chat.telegram_chat_id == old_chat_id))
    new = await session.scalar(select(Chat).where(Chat.telegram_chat_id == new_chat_id))
    if old is not None and new is None:
        old.telegram_chat_id, old.type = new_chat_id, ChatType.SUPERGROUP
    elif old is not None and new is not None:
        old.migrated_to = new_chat_id
        new.digest_subscribed = new.digest_subscribed or old.digest_subscribed
        old.digest_subscribed = False
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.state.in_(OPEN_STATES))
        .values(chat_id=new_chat_id)
    )


async def mark_unreachable(
    session: AsyncSession,
    *,
    chat_id: int,
    description: str,
    at: datetime,
    also_notify: Sequence[int] = (),
) -> int:
    """Telegram said 403: flag the user's active contacts and tell every active staff member.

    Notices are outbox rows keyed by (day, staff, chat), so a repeated 403 does not repeat
    them. Returns how many notices were newly enqueued.
    """
    contacts = (
        await session.scalars(
            select(Contact).where(Contact.telegram_user_id == chat_id, Contact.active)
        )
    ).all()
    for contact in contacts:
        contact.unreachable_at = contact.unreachable_at or at
    names = ", ".join(c.display_name or str(c.telegram_user_id) for c in contacts)
    text = f"⚠️ 无法送达 / unreachable: {names or chat_id} — {description}"
    staff = sorted(
        set((await session.scalars(select(Staff.telegram_user_id).where(Staff.active))).all())
        | set(also_notify)
    )
    notices = [
        NewMessage(
            UNREACHABLE_NOTICE,
            at.strftime("%Y-%m-%d"),
            f"{user}:{chat_id}",
            user,
            {"text": text, "parse_mode": None, "reply_markup": None},
            at,
        )
        for user in staff
        if user != chat_id
    ]
    return await enqueue_many(session, notices)
