"""Attributable writes: every change records who, when and from which chat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditLog

MINI_APP = "mini_app"  # the origin of writes made in the Mini App


@dataclass(frozen=True)
class Actor:
    """Who is acting: a Telegram user in a chat, the CLI operator, or the scheduler."""

    via: str
    user_id: int | None = None
    chat_id: int | None = None

    @classmethod
    def cli(cls) -> Actor:
        return cls(via="cli")

    @classmethod
    def scheduler(cls) -> Actor:
        return cls(via="scheduler")

    @classmethod
    def telegram(cls, user_id: int, chat_id: int | None) -> Actor:
        return cls(via="telegram", user_id=user_id, chat_id=chat_id)

    @classmethod
    def mini_app(cls, user_id: int) -> Actor:
        """A Telegram user acting from the Mini App (no chat: a web page)."""
        return cls(via=MINI_APP, user_id=user_id)


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target: str | None = None,
    **details: Any,
) -> AuditLog:
    """Add an audit row to the caller's transaction: it commits or rolls back with the change."""
    row = AuditLog(
        actor_user_id=actor.user_id,
        via=actor.via,
        chat_id=actor.chat_id,
        action=action,
        target=target,
        details=details,
    )
    session.add(row)
    return row
