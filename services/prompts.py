"""Which tasks a sent prompt was about, so a reply to it can be read as a report."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage


@dataclass(frozen=True)
class PromptRef:
    period: str
    task_numbers: list[int]
    task_ids: list[int] = field(default_factory=list)  # prompts written since plans have codes


async def tasks_of_prompt(session: AsyncSession, chat_id: int, message_id: int) -> PromptRef | None:
    row = await session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.sent_message_id == message_id
        )
    )
    if row is None:
        return None
    meta = (row.payload or {}).get("meta") or {}
    if "task_numbers" not in meta:
        return None
    return PromptRef(
        str(meta.get("period") or row.period),
        [int(n) for n in meta["task_numbers"]],
        [int(n) for n in meta.get("task_ids") or []],
    )
