"""What a principal sees with an approval request besides the entry: the changes since the
last approved version and the attachments. The request itself (approval.request) calls these."""

from __future__ import annotations

from bot.context import BotContext
from bot.handlers.evidence import send_files
from bot.handlers.history_texts import since_approved
from services.history import changes_since_approved, entry_attachments


async def changes_block(context: BotContext, entry_id: int, lang: str) -> str:
    """`与上次审定版本相比：` and one line per changed field (HTML), for the request's text."""
    async with context.runtime.session() as session:
        return since_approved(await changes_since_approved(session, entry_id), lang)


async def send_attachments(context: BotContext, chat_id: int, entry_id: int) -> None:
    """The entry's photos and documents, right after the request."""
    async with context.runtime.session() as session:
        items = await entry_attachments(session, entry_id)
    await send_files(context, chat_id, items)
