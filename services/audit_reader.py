"""The audit log's latest entries, filtered by unit or task number: its only reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditLog, TelegramUser

LIMIT = 20


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    target: str | None
    via: str
    actor_id: int | None
    actor: str | None  # the name they gave Telegram, when known
    chat_id: int | None
    details: dict[str, Any]


async def latest(
    session: AsyncSession,
    *,
    unit: str | None = None,
    task_number: int | None = None,
    limit: int = LIMIT,
) -> list[AuditEntry]:
    """Newest first. A unit matches its own rows (`市水务局`) and its entries' rows
    (`市水务局/5/2023-03`); a task number matches every unit's entries on that task."""
    query = select(AuditLog, TelegramUser.first_name).outerjoin(
        TelegramUser, TelegramUser.telegram_user_id == AuditLog.actor_user_id
    )
    if unit is not None:
        query = query.where(
            or_(AuditLog.target == unit, AuditLog.target.startswith(f"{unit}/", autoescape=True))
        )
    if task_number is not None:
        query = query.where(AuditLog.target.like(f"%/{task_number}/%"))
    rows = await session.execute(query.order_by(AuditLog.id.desc()).limit(limit))
    return [
        AuditEntry(
            row.at, row.action, row.target, row.via, row.actor_user_id, name, row.chat_id,
            dict(row.details or {}),
        )
        for row, name in rows
    ]  # fmt: skip
