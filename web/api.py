"""The HTTP API under /api/v1/ and the Mini App under /app/, on the one web server."""

from __future__ import annotations

from aiohttp import web

from web import (
    api_documents,
    api_drafts,
    api_evidence,
    api_read,
    api_urge,
    api_views,
    api_write,
    miniapp,
    openapi,
)
from web.app import WebDeps


def register(app: web.Application, deps: WebDeps) -> None:
    if deps.runtime.settings.telegram_token is None:
        return  # init data cannot be checked without the bot's token
    openapi.register(app)
    api_read.register(app)
    api_views.register(app)
    api_write.register(app)
    api_drafts.register(app)
    api_documents.register(app)
    api_evidence.register(app)
    api_urge.register(app)
    miniapp.register(app)
