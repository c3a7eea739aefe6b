"""Chats the bot is in, and which groups receive the weekly digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ChatType
from models import Chat
from services.audit import Actor, record


async def remember_chat(
    session: AsyncSession, *, chat_id: int, type: str, title: str | None, now: datetime
) -> Chat:
    chat = await session.scalar(select(Chat).where(Chat.telegram_chat_id == chat_id))
    if chat is None:
        chat = Chat(telegram_chat_id=chat_id, type=ChatType(type), created_at=now)
        session.add(chat)
    chat.title, chat.updated_at = title, now
    return chat


async def set_subscription(
    session: AsyncSession,
    *,
    chat_id: int,
    type: str,
    title: str | None,
    subscribed: bool,
    now: datetime,
    actor: Actor,
    thread_id: int | None = None,
) -> Chat:
    """Subscribe (in a forum supergroup: the topic `thread_id`) or unsubscribe a group."""
    chat = await remember_chat(session, chat_id=chat_id, type=type, title=title, now=now)
    chat.digest_subscribed = subscribed
    chat.digest_thread_id = thread_id if subscribed else None
    chat.subscribed_by = actor.user_id if subscribed else None
    action = "chat.subscribe" if subscribed else "chat.unsubscribe"
    record(session, actor, action, str(chat_id), **({"topic": thread_id} if thread_id else {}))
    return chat


async def subscribed_chats(session: AsyncSession) -> list[Chat]:
    return list((await session.scalars(select(Chat).where(Chat.digest_subscribed))).all())
