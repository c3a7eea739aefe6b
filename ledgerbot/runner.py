"""Start the bot: settings → clock → database → Telegram → application → run until stopped."""

from __future__ import annotations

import asyncio
import logging

from bot.app import build_application, run
from config import Settings
from ledger.clock import Clock
from ledgerbot.startup import check_database, wait_for_telegram

log = logging.getLogger(__name__)


def run_bot(settings: Settings) -> None:
    clock = Clock(settings.fake_now)
    if clock.is_fake:
        log.warning(
            "LEDGERBOT_FAKE_NOW is set: the bot's clock starts at %s, not the real time",
            settings.fake_now.isoformat() if settings.fake_now else "",
        )
    asyncio.run(_preflight(settings))
    application = build_application(settings, clock)
    log.info("starting (%s)", "webhook" if settings.webhook_url else "polling")
    run(application, settings)
    log.info("stopped")


async def _preflight(settings: Settings) -> None:
    await check_database(settings)
    me = await wait_for_telegram(settings)
    log.info("Telegram accepted the token: @%s", me.username)
