"""Start the bot process: settings → clock → database → application → run until stopped."""

from __future__ import annotations

import asyncio
import logging

from bot.app import build_application, run
from config import Settings
from ledger.clock import Clock
from ledgerbot.database import opened

log = logging.getLogger(__name__)


def run_bot(settings: Settings) -> None:
    clock = Clock(settings.fake_now)
    if clock.is_fake:
        log.warning(
            "LEDGERBOT_FAKE_NOW is set: the bot's clock starts at %s, not the real time",
            settings.fake_now.isoformat() if settings.fake_now else "",
        )
    asyncio.run(_prepare_database(settings))
    application = build_application(settings, clock)
    log.info("starting (%s)", "webhook" if settings.webhook_url else "polling")
    run(application, settings)
    log.info("stopped")


async def _prepare_database(settings: Settings) -> None:
    async with opened(settings):
        pass
