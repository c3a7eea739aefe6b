"""GET /api/v1/evidence/{id}: an attachment (佐证材料) of an entry, fetched from Telegram by its
file id (getFile, then the file) through LEDGERBOT_TELEGRAM_BASE_URL and streamed on, so the
Mini App shows images and downloads documents from the bot's own server. The caller's right to
see the entry's unit is checked before anything is asked of Telegram."""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import quote

import aiohttp
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config import Settings
from models import Evidence, ProgressEntry
from services import permissions
from web.api_auth import Viewer, problem, route
from web.app import DEPS

log = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=120, sock_connect=10)
CHUNK = 64 * 1024


class FileUnavailable(Exception):
    """Telegram would not give the file (unknown id, too big, unreachable)."""


async def _file_path(client: aiohttp.ClientSession, settings: Settings, file_id: str) -> str:
    assert settings.telegram_token is not None
    url = f"{settings.telegram_base_url}{settings.telegram_token.get_secret_value()}/getFile"
    async with client.post(url, json={"file_id": file_id}) as answer:
        body = await answer.json(content_type=None)
    if not body.get("ok") or not body.get("result", {}).get("file_path"):
        raise FileUnavailable(str(body.get("description") or "no file path"))
    return str(body["result"]["file_path"])


def _headers(kind: str, file_name: str | None, file_path: str) -> dict[str, str]:
    """Photos are shown inline; documents are downloaded under their own name."""
    name = file_name or file_path.rsplit("/", 1)[-1]
    guessed = mimetypes.guess_type(name)[0]
    if kind == "photo":
        return {"Content-Type": guessed or "image/jpeg", "Content-Disposition": "inline"}
    return {
        "Content-Type": guessed or "application/octet-stream",
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
    }


@route()
async def evidence(
    request: web.Request, viewer: Viewer, session: AsyncSession
) -> web.StreamResponse:
    given = request.match_info["evidence_id"]
    if not given.isdigit():
        return problem(400, "the evidence id is a number")
    found = (
        await session.execute(
            select(Evidence.kind, Evidence.file_id, Evidence.file_name, ProgressEntry.unit_id)
            .join(ProgressEntry, ProgressEntry.id == Evidence.entry_id)
            .where(Evidence.id == int(given))
        )
    ).first()
    if found is None:
        return problem(404, "no such evidence")
    kind, file_id, file_name, unit_id = found
    if not permissions.may_see_unit(viewer.identity, unit_id):
        return problem(403, "you may see your own units only")
    settings = request.app[DEPS].runtime.settings
    async with aiohttp.ClientSession(timeout=TIMEOUT) as client:
        try:
            path = await _file_path(client, settings, file_id)
            assert settings.telegram_token is not None
            token = settings.telegram_token.get_secret_value()
            async with client.get(f"{settings.telegram_file_url}{token}/{path}") as source:
                if source.status != 200:
                    raise FileUnavailable(f"HTTP {source.status}")
                response = web.StreamResponse(headers=_headers(kind, file_name, path))
                if source.content_length is not None:
                    response.content_length = source.content_length
                await response.prepare(request)
                async for chunk in source.content.iter_chunked(CHUNK):
                    await response.write(chunk)
                await response.write_eof()
                return response
        except (FileUnavailable, aiohttp.ClientError, TimeoutError) as error:
            log.warning("evidence %s: Telegram did not give the file: %s", given, error)
            return problem(502, "Telegram did not give the file; try again later")


def register(app: web.Application) -> None:
    app.router.add_get("/api/v1/evidence/{evidence_id}", evidence)
