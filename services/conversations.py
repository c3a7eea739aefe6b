"""Persisted conversation state, so a multi-step report survives a restart of the bot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from models import ConversationState


async def load(session: AsyncSession, user_id: int) -> ConversationState | None:
    return await session.get(ConversationState, user_id)


async def save(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    flow: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    state = await session.get(ConversationState, user_id)
    if state is None:
        state = ConversationState(telegram_user_id=user_id)
        session.add(state)
    state.chat_id, state.flow, state.data, state.updated_at = chat_id, flow, dict(data), now


async def clear(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        delete(ConversationState).where(ConversationState.telegram_user_id == user_id)
    )
