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
) -> Chat:
    chat = await remember_chat(session, chat_id=chat_id, type=type, title=title, now=now)
    chat.digest_subscribed = subscribed
    chat.subscribed_by = actor.user_id if subscribed else None
    record(session, actor, "chat.subscribe" if subscribed else "chat.unsubscribe", str(chat_id))
    return chat


async def subscribed_chats(session: AsyncSession) -> list[Chat]:
    return list((await session.scalars(select(Chat).where(Chat.digest_subscribed))).all())
