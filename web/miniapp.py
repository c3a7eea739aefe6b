"""GET /app/: the Mini App's page, script, style and font, all served from here (no CDN)."""

from __future__ import annotations

import asyncio
import io
from functools import cache
from pathlib import Path

from aiohttp import web

from reports.fonts import font_path

STATIC = Path(__file__).resolve().parent / "static"
FILES = {
    "app.js": "application/javascript",
    "views.js": "application/javascript",
    "entry.js": "application/javascript",
    "app.css": "text/css",
}
HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; script-src 'self' https://telegram.org; "
    "style-src 'self'; img-src 'self' data: blob:; font-src 'self'; frame-ancestors *",
}


FONT_HEADERS = {"Cache-Control": "max-age=86400", "X-Content-Type-Options": "nosniff"}


@cache
def font_bytes() -> bytes:
    """The CJK font (the first face of the collection the charts use) as a plain TrueType
    file: browsers refuse the collection itself, and phones without CJK fonts still read."""
    from fontTools.ttLib import TTCollection

    buffer = io.BytesIO()
    TTCollection(str(font_path())).fonts[0].save(buffer)
    return buffer.getvalue()


async def page(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={**HEADERS,
                            "Content-Type": "text/html; charset=utf-8"})  # fmt: skip


async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name == "font.ttf":
        body = await asyncio.to_thread(font_bytes)
        return web.Response(body=body, content_type="font/ttf", headers=FONT_HEADERS)
    if name not in FILES:
        raise web.HTTPNotFound()
    return web.FileResponse(STATIC / name, headers={**HEADERS, "Content-Type": FILES[name]})


async def to_app(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/app/")


def register(app: web.Application) -> None:
    app.router.add_get("/app", to_app)
    app.router.add_get("/app/", page)
    app.router.add_get("/app/{name}", asset)
