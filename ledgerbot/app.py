"""The composition root: the engine, the runtime, the outbox dispatcher, the clockwork and the
Telegram application with its handlers, built in one place."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import timedelta

from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot import commands, updates
from bot.context import RUNTIME_KEY, BotApplication, BotContext
from bot.handlers import (
    admin,
    admin_chat,
    approval,
    audit,
    basic,
    duban_assign,
    duban_close,
    duban_extend,
    duban_pending,
    duban_urge,
    evidence,
    exports,
    history,
    milestones,
    milestones_view,
    plan_upload,
    reporting,
    status,
    unit_choice,
)
from bot.serve import FRONT_KEY, FrontDoor, serve
from bot.telegram_request import MAIN_POOL_SIZE, MeteredRequest
from bot.updates import PerChatUpdateProcessor
from config import Settings
from ledger.clock import Clock
from models.db import make_engine, make_session_factory
from scheduler.clockwork import Clockwork
from scheduler.dispatch_lock import DispatchLock
from scheduler.dispatcher import Dispatcher, DispatchLimits
from scheduler.pacing import Limits
from scheduler.sending import request_hooks
from services import outbox_chats
from services.runtime import Runtime
from services.staff import staff_who_wrote

DISPATCHER_KEY = "dispatcher"
# A claimed row is sent within seconds (the dispatcher hands back rows it must hold longer),
# so after a crash its rows may be reclaimed — and re-sent, as unknown outcomes — this soon.
CLAIM_LEASE = timedelta(seconds=30)

log = logging.getLogger(__name__)


def with_username(settings: Settings, username: str | None) -> Settings:
    """The bot's @username, from Telegram unless set: the digest's startapp link needs it."""
    if settings.bot_username or not username:
        return settings
    return settings.model_copy(update={"bot_username": username})


def build_application(settings: Settings, clock: Clock) -> BotApplication:
    if settings.telegram_token is None:
        raise ValueError("LEDGERBOT_TELEGRAM_TOKEN is not set")

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        engine = make_engine(settings.database_url)
        me = application.bot.bot
        runtime = Runtime(
            settings=with_username(settings, me.username),
            engine=engine,
            session_factory=make_session_factory(engine),
            clock=clock,
        )
        application.bot_data[RUNTIME_KEY] = runtime
        log.info("connected as @%s (id %s)", me.username, me.id)
        async with runtime.session() as session:
            staff_ids = await staff_who_wrote(session, settings.admin_ids)
        await commands.publish(application.bot, staff_ids)
        runtime.staff_menus.update(staff_ids)
        dispatcher = Dispatcher(
            runtime.session_factory,
            application.bot,
            worker_id=f"{socket.gethostname()}-{os.getpid()}",
            clock_now=clock.now,
            limits=DispatchLimits(
                pacing=Limits(global_per_second=settings.send_per_second), lease=CLAIM_LEASE
            ),
            lock=DispatchLock(engine),
            on_forbidden=lambda chat_id, why: _unreachable(runtime, chat_id, why),
        )
        application.bot_data[DISPATCHER_KEY] = dispatcher
        runtime.wake_dispatcher = dispatcher.wake
        await dispatcher.start()
        assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
        clockwork = Clockwork(runtime, application.job_queue, dispatcher.wake)
        await clockwork.start()
        # Last: updates are taken in (and left-over inbox rows handled) once all is ready.
        front = FrontDoor(runtime, application, heartbeat=lambda: clockwork.last_beat)
        application.bot_data[FRONT_KEY] = front
        await front.start()

    async def post_stop(application: Application) -> None:  # type: ignore[type-arg]
        dispatcher: Dispatcher | None = application.bot_data.get(DISPATCHER_KEY)
        if dispatcher is not None:
            await dispatcher.stop()

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        runtime: Runtime | None = application.bot_data.get(RUNTIME_KEY)
        if runtime is not None:
            await runtime.engine.dispose()

    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .updater(None)  # updates come through the inbox (bot/serve.py), not PTB's Updater
        .request(MeteredRequest(connection_pool_size=MAIN_POOL_SIZE, httpx_kwargs=request_hooks()))
        .get_updates_request(MeteredRequest())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerChatUpdateProcessor())
        .defaults(Defaults(tzinfo=settings.tz))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(application)
    return application


async def _unreachable(runtime: Runtime, chat_id: int, description: str) -> None:
    """403 from Telegram: flag the contact and tell staff and the configured admins."""
    async with runtime.session() as session:
        await outbox_chats.mark_unreachable(
            session,
            chat_id=chat_id,
            description=description,
            at=runtime.clock.now(),
            also_notify=runtime.settings.admin_ids,
        )


def register_handlers(application: BotApplication) -> None:
    # Note: order matters. Commands and buttons first; reporting registers the catch-all
    # private-text handler last, so it only sees text no other handler claimed.
    basic.register(application)
    admin.register(application)
    status.register(application)
    exports.register(application)
    approval.register(application)
    milestones.register(application)
    unit_choice.register(application)
    history.register(application)
    evidence.register(application)
    plan_upload.register(application)
    admin_chat.register(application)
    milestones_view.register(application)
    audit.register(application)
    duban_urge.register(application)
    duban_close.register(application)
    duban_pending.register(application)
    duban_assign.register(application)
    duban_extend.register(application)
    reporting.register(application)
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, basic.unknown_command)
    )
    application.add_handler(CallbackQueryHandler(basic.unknown_button))
    application.add_error_handler(updates.on_error)


def run(application: BotApplication, settings: Settings) -> None:
    """Block until Ctrl-C/SIGTERM: webhook when LEDGERBOT_WEBHOOK_URL is set, else polling."""
    asyncio.run(serve(application))
