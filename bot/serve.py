"""Run the bot: PTB's application, the inbox worker, the web server, and polling or the
webhook, in one event loop, until SIGINT/SIGTERM.

PTB's own `run_polling`/`run_webhook` acknowledge updates before they are stored (polling
confirms a batch on the next request; the webhook answers once the update is queued in
memory). Here updates reach PTB only through the inbox (bot/intake.py, bot/inbox.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

from telegram import Update

from bot.context import BotApplication
from bot.inbox import InboxWorker
from bot.intake import Intake, Poller, Unsaved
from services.runtime import Runtime
from web.app import WebDeps, WebServer, build_web_app
from web.webhook import webhook_path

log = logging.getLogger(__name__)
FRONT_KEY = "front"


class FrontDoor:
    """Everything that takes updates in: worker, intake, web server, polling or webhook."""

    def __init__(
        self,
        runtime: Runtime,
        application: BotApplication,
        *,
        heartbeat: Callable[[], float | None],
    ) -> None:
        settings = runtime.settings
        self.runtime, self.application = runtime, application
        self.unsaved = Unsaved(application.bot, settings.locale)
        self.worker = InboxWorker(runtime, application, self.unsaved)
        self.intake = Intake(runtime, self.unsaved, self.worker.wake)
        webhook = bool(settings.webhook_url)
        self.poller = (
            None if webhook else Poller(application.bot, self.intake, settings.polling_timeout)
        )
        deps = WebDeps(runtime, heartbeat, self.intake if webhook else None)
        self.web = (
            WebServer(build_web_app(deps), settings.web_listen, settings.web_port)
            if settings.web_port
            else None
        )
        self._started = False

    async def start(self) -> None:
        self._started = True
        await self.worker.start()  # first the rows a previous run left
        if self.web is not None:
            await self.web.start()
        settings = self.runtime.settings
        if self.poller is not None:
            await self.poller.start()
            return
        assert settings.webhook_url and settings.webhook_secret
        await self.application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("webhook at %s", webhook_path(settings.webhook_url))

    async def stop(self) -> None:
        """New updates stop first (Telegram keeps them), then what was stored is finished."""
        if not self._started:
            return
        self._started = False
        if self.poller is not None:
            await self.poller.stop()
        if self.web is not None:
            await self.web.stop()
        await self.worker.stop()
        await self.unsaved.close()


async def serve(application: BotApplication) -> None:
    """PTB's run_* sequence (initialize, post_init, start … stop, post_stop, shutdown,
    post_shutdown), with the front door stopped before the application."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGABRT):
        loop.add_signal_handler(sig, stop.set)
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        await stop.wait()
    finally:
        front: FrontDoor | None = application.bot_data.get(FRONT_KEY)
        if front is not None:
            await front.stop()
        if application.running:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
