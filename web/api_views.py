"""GET routes of the grid's other views (staff): the quarter (milestone targets × units, with
the answers) and the year (months × units, with what counts of what was owed)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Quarter
from services import ledger_views, permissions
from services.periods import open_period
from web.api_auth import Viewer, ok, problem, route
from web.api_read import as_of


@route(permissions.staff)
async def quarter(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    """?quarter=YYYYQn (default: the open period's quarter)."""
    now = as_of(request)
    current = await open_period(session, now=now["now"], tz=now["tz"])
    given = request.query.get("quarter")
    try:
        chosen = Quarter.parse(given) if given else Quarter(current.year, (current.month + 2) // 3)
    except ValueError as bad:
        return problem(400, str(bad))
    return ok(await ledger_views.quarter_grid(session, quarter=chosen, current=current, as_of=now))


@route(permissions.staff)
async def year(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    """?year=YYYY (default: the open period's year)."""
    now = as_of(request)
    current = await open_period(session, now=now["now"], tz=now["tz"])
    given = request.query.get("year") or str(current.year)
    if not (given.isdigit() and len(given) == 4):
        return problem(400, f"year must be YYYY, not {given!r}")
    return ok(await ledger_views.year_grid(session, year=int(given), current=current, as_of=now))


def register(app: web.Application) -> None:
    app.router.add_get("/api/v1/grid/quarter", quarter)
    app.router.add_get("/api/v1/grid/year", year)
