"""GET /api/v1/documents/…: the 台账 (xlsx), 季通报 (docx, xlsx) and 年考评 (xlsx) as downloads,
built by the same code as /export, /bulletin and `ledgerbot export`. A unit's people get their
own units' lines; the 年考评 ranks every unit, so it is for staff."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Quarter
from reports.bulletin import build
from reports.bulletin_docx import bulletin_docx
from reports.bulletin_xlsx import bulletin_xlsx
from reports.ledger_xlsx import ledger_workbook
from reports.scorecard import scorecard_xlsx
from services import permissions, reports
from services.periods import open_period
from web.api_auth import Viewer, problem, route
from web.api_read import as_of, period_of
from web.app import DEPS

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
BULLETINS: dict[str, Callable[..., bytes]] = {"docx": bulletin_docx, "xlsx": bulletin_xlsx}


def _scope(viewer: Viewer) -> list[int] | None:
    units = permissions.visible_units(viewer.identity)
    return None if units is None else sorted(units)


def download(data: bytes, name: str, suffix: str) -> web.Response:
    return web.Response(
        body=data,
        content_type=TYPES[suffix],
        headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'},
    )


@route()
async def ledger(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    period = await period_of(request, session)
    if isinstance(period, web.Response):
        return period
    now = as_of(request)
    found = await reports.ledgers(session, periods=[period], unit_ids=_scope(viewer), **now)
    if not found:
        return problem(404, f"no plan covers {period.key}")
    data = await asyncio.to_thread(ledger_workbook, found, now["tz"], now["now"])
    return download(data, f"ledger-{period.key}", "xlsx")


@route()
async def bulletin(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    suffix = request.match_info["suffix"]
    now = as_of(request)
    given = request.query.get("quarter", "").upper()
    try:
        quarter = Quarter.parse(given) if given else None
    except ValueError:
        return problem(400, "quarter is YYYYQn, e.g. 2023Q2")
    if quarter is None:
        quarter = (await open_period(session, now=now["now"], tz=now["tz"])).quarter
    data = await reports.quarter_data(session, quarter=quarter, **now)
    if data is None:
        return problem(404, f"no plan covers {quarter.key}")
    document = await asyncio.to_thread(BULLETINS[suffix], build(data, _scope(viewer)))
    return download(document, f"bulletin-{quarter.key}", suffix)


@route(permissions.staff)
async def scorecard(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    now = as_of(request)
    year = request.query.get("year", "")
    if not year.isdigit():
        return problem(400, "give year=YYYY")
    through = reports.last_due_period(int(year), now["now"], now["rules"], now["tz"])
    data = await reports.year_data(session, year=int(year), through=through, **now)
    if data is None:
        return problem(404, f"no ledger of {year} is due yet")
    weights = request.app[DEPS].runtime.settings.weights()
    document = await asyncio.to_thread(
        scorecard_xlsx, data, weights, now["tz"], through.key, now["now"]
    )
    return download(document, f"scorecard-{year}", "xlsx")


def register(app: web.Application) -> None:
    app.router.add_get("/api/v1/documents/ledger.xlsx", ledger)
    app.router.add_get(r"/api/v1/documents/bulletin.{suffix:docx|xlsx}", bulletin)
    app.router.add_get("/api/v1/documents/scorecard.xlsx", scorecard)
