"""GET /api/v1/documents/{kind}.{type}: the 台账, 季通报, 年考评 (and the other documents of
`messages.documents`) as downloads, from the same table as `ledgerbot export` and the chat's
/export and /bulletin. A unit's people get their own units' lines; staff-only documents (the
年考评 ranks every unit) refuse them.

Parameters: `period=YYYY-MM` (ledger, digest), `quarter=YYYYQn` (bulletin), `year=YYYY`
(scorecard, entries); each defaults as in the chat."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period, Quarter
from messages.documents import DOCUMENTS, Ask, Audience
from services import permissions
from web.api_auth import Viewer, problem, route
from web.api_read import as_of
from web.app import DEPS

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
    "json": "application/json",
    "png": "image/png",
}


def _ask(request: web.Request, viewer: Viewer) -> Ask | str:
    """The request's parameters as an Ask, or the one line saying which one is wrong."""
    now, query = as_of(request), request.query
    try:
        periods = (Period.parse(query["period"]),) if query.get("period") else ()
        quarter = Quarter.parse(query["quarter"].upper()) if query.get("quarter") else None
    except ValueError as bad:
        return str(bad)
    year = query.get("year", "")
    if year and not year.isdigit():
        return "year is YYYY"
    units = permissions.visible_units(viewer.identity)
    settings = request.app[DEPS].runtime.settings
    return Ask(
        now=now["now"], rules=now["rules"], tz=now["tz"], periods=periods, quarter=quarter,
        year=int(year) if year else now["now"].astimezone(now["tz"]).year,
        unit_ids=None if units is None else tuple(sorted(units)),
        weights=settings.weights(), lang=viewer.lang,
    )  # fmt: skip


@route()
async def document(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    kind, suffix = request.match_info["kind"], request.match_info["suffix"]
    found = DOCUMENTS.get(kind)
    if found is None or suffix not in found.writers or suffix not in TYPES:
        return problem(404, f"no document {kind}.{suffix}")
    if found.audience == Audience.STAFF and not viewer.identity.is_staff:
        return problem(403, "not allowed for your role")
    ask = _ask(request, viewer)
    if isinstance(ask, str):
        return problem(400, ask)
    loaded = await found.load(session, ask)
    if loaded is None:
        return problem(404, found.refusal)
    data = await asyncio.to_thread(found.write, loaded, ask, suffix)
    return web.Response(
        body=data.encode() if isinstance(data, str) else data,
        content_type=TYPES[suffix],
        headers={
            "Content-Disposition": f'attachment; filename="{found.file_name(loaded, suffix)}"'
        },
    )


def register(app: web.Application) -> None:
    app.router.add_get(r"/api/v1/documents/{kind:[a-z]+}.{suffix:[a-z]+}", document)
