"""POST <path of LEDGERBOT_WEBHOOK_URL>: Telegram's updates, stored before they are answered.

The secret header is compared in constant time before a byte of the body is read, so a wrong
or missing secret costs a header parse and a 403 (the connection is closed, never drained);
bodies over MAX_BODY are refused the same way. 200 only once the update is committed to the
inbox; 503 when it could not be, and Telegram delivers it again.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import urlparse

from aiohttp import web

from web.app import MAX_BODY, WebDeps

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(webhook_url: str) -> str:
    return urlparse(webhook_url).path or "/"


def register(app: web.Application, deps: WebDeps) -> None:
    settings = deps.runtime.settings
    sink = deps.updates
    if sink is None or not settings.webhook_url or settings.webhook_secret is None:
        return
    secret = settings.webhook_secret.get_secret_value().encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, secret):
            return _refuse(403)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _refuse(413)
        try:
            update = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413)
        except ValueError:  # not JSON, or not UTF-8
            return web.Response(status=400, text="not a Telegram update")
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if type(update_id) is not int:
            return web.Response(status=400, text="not a Telegram update")
        if await sink.accept([update]):
            return web.Response(text="ok")
        return web.Response(status=503, text="not stored; deliver again")

    app.router.add_post(webhook_path(settings.webhook_url), receive)


def _refuse(status: int) -> web.Response:
    """Answer without reading the body, and close the connection rather than drain it."""
    response = web.Response(status=status)
    response.force_close()
    return response
