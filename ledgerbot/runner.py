"""Start the bot: settings → clock → database → Telegram → application → run until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal

from config import Settings
from ledger.clock import Clock
from ledgerbot.app import build_application, run
from ledgerbot.startup import check_database, wait_for_telegram

log = logging.getLogger(__name__)


def run_bot(settings: Settings) -> None:
    if settings.fake_now is not None:
        log.warning(
            "LEDGERBOT_FAKE_NOW is set: the bot's clock starts at %s, not the real time",
            settings.fake_now.isoformat(),
        )
    previous = signal.signal(signal.SIGTERM, _interrupt)  # python-telegram-bot's own later
    try:
        asyncio.run(_preflight(settings))
    except KeyboardInterrupt:
        log.info("stopped before start")
        return
    finally:
        signal.signal(signal.SIGTERM, previous)
    clock = Clock(settings.fake_now)  # a rehearsal clock starts once the checks have passed
    application = build_application(settings, clock)
    log.info("starting (%s)", "webhook" if settings.webhook_url else "polling")
    run(application, settings)
    log.info("stopped")


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


async def _preflight(settings: Settings) -> None:
    await check_database(settings)
    me = await wait_for_telegram(settings)
    log.info("Telegram accepted the token: @%s", me.username)
