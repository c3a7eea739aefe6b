"""Who is asking the HTTP API: `Authorization: tma <init data>` (a Telegram user, by role) or
`Authorization: Bearer <token>` (another system, as staff). Each route is wrapped by `route`:
authenticate, apply the permission (the chat's own predicates), run in one session."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import pick_language
from ledger.initdata import InitDataRefused, WebAppUser, validate
from services import api_tokens, permissions
from services.audit import MINI_APP
from services.identity import Identity, identify
from services.runtime import Runtime
from web.app import DEPS


@dataclass(frozen=True)
class Viewer:
    """The authenticated caller: their identity and roles, language, and where they act from."""

    identity: Identity
    lang: str
    via: str  # "mini_app" or "api"
    name: str | None
    can_write: bool


Handler = Callable[[web.Request, Viewer, AsyncSession], Awaitable[web.StreamResponse]]


def problem(status: int, message: str) -> web.Response:
    """One clear line, as JSON: {"error": message}."""
    return web.json_response({"error": message}, status=status, dumps=_dumps)


def ok(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def init_data_user(runtime: Runtime, raw: str) -> WebAppUser:
    settings = runtime.settings
    assert settings.telegram_token is not None
    return validate(
        raw,
        settings.telegram_token.get_secret_value(),
        now=runtime.clock.now(),
        max_age=timedelta(hours=settings.webapp_auth_max_age_h),
    )


async def authenticate(request: web.Request, session: AsyncSession) -> Viewer | web.Response:
    runtime = request.app[DEPS].runtime
    settings = runtime.settings
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    scheme = scheme.lower()
    if scheme == "tma":
        try:
            user = init_data_user(runtime, credentials.strip())
        except InitDataRefused as refused:
            return problem(401, f"init data refused: {refused}")
        identity = await identify(session, user.user_id, settings.admin_ids)
        lang = pick_language(identity.language, user.language_code, settings.locale)
        return Viewer(identity, lang, MINI_APP, user.first_name, can_write=True)
    if scheme == "bearer":
        holder = await api_tokens.holder(session, credentials.strip(), now=runtime.clock.now())
        if holder is None:
            return problem(401, "unknown or revoked API token")
        identity = Identity(user_id=0, is_admin=False, is_staff=True, bindings=())
        return Viewer(identity, settings.locale, "api", holder.name, holder.can_write)
    return problem(401, "send Authorization: tma <init data> or Bearer <API token>")


def route(
    allowed: permissions.Permission = permissions.known, *, write: bool = False
) -> Callable[[Handler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """Authenticate, refuse whoever `allowed` rejects (403), and run the handler in one
    transaction: a handler that returns a 4xx has changed nothing (it is rolled back)."""

    def wrap(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(handler)
        async def run(request: web.Request) -> web.StreamResponse:
            runtime = request.app[DEPS].runtime
            async with runtime.session_factory() as session:
                try:
                    response = await _guarded(request, session, handler, allowed, write)
                except BaseException:
                    await session.rollback()
                    raise
                if response.status >= 400:
                    await session.rollback()
                else:
                    await session.commit()
                return response

        return run

    return wrap


async def _guarded(
    request: web.Request,
    session: AsyncSession,
    handler: Handler,
    allowed: permissions.Permission,
    write: bool,
) -> web.StreamResponse:
    viewer = await authenticate(request, session)
    if isinstance(viewer, web.Response):
        return viewer
    if not allowed(viewer.identity):
        return problem(403, "not allowed for your role")
    if write and not viewer.can_write:
        return problem(403, "this API token is read-only")
    return await handler(request, viewer, session)
