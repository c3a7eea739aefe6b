"""GET routes of the HTTP API (/api/v1/): who am I, periods, plans, units, tasks, the status
document, the ledger grid, an entry's versions, the report form and the review queue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.timetable import AsOf
from models import LedgerPeriod, Task, Unit
from services import entry_views, form_drafts, ledger_marks, permissions
from services.grid_cache import GridCache
from services.periods import open_period
from services.plans import list_plans
from services.status import period_status
from services.status_document import status_json
from services.units import find_unit
from web.api_auth import Viewer, ok, problem, route
from web.app import DEPS

P = permissions
GRIDS = web.AppKey("grids", GridCache)  # the grid's answers, rebuilt when their facts change


def as_of(request: web.Request) -> AsOf:
    return request.app[DEPS].runtime.as_of()


async def period_of(request: web.Request, session: AsyncSession) -> Period | web.Response:
    """`?period=YYYY-MM`, or the open period."""
    given = request.query.get("period")
    if given:
        try:
            return Period.parse(given)
        except ValueError as bad:
            return problem(400, str(bad))
    now = as_of(request)
    return await open_period(session, now=now["now"], tz=now["tz"])


def _int(request: web.Request, name: str) -> int | None:
    value = request.query.get(name) or request.match_info.get(name)
    return int(value) if value and value.isdigit() else None


@route(P.anyone)
async def me(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    who = viewer.identity
    flags = {"admin": who.is_admin, "staff": who.is_staff, "contact": who.is_contact,
             "principal": who.is_principal}  # fmt: skip
    roles = [role for role, yes in flags.items() if yes]
    period = await period_of(request, session)
    assert isinstance(period, Period)
    return ok(
        {
            "user_id": who.user_id or None,
            "name": viewer.name,
            "lang": viewer.lang,
            "roles": roles,
            "units": [
                {"id": b.unit_id, "name": b.unit_name, "role": b.role.value} for b in who.bindings
            ],
            "open_period": period.key,
        }
    )


@route()
async def periods(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    rows = (await session.scalars(select(LedgerPeriod).order_by(LedgerPeriod.key.desc()))).all()
    return ok(
        [
            {"period": p.key, "due_at": p.due_at.isoformat(), "prompted": p.prompted_at is not None,
             "closed": p.closed_at is not None}
            for p in rows
        ]
    )  # fmt: skip


@route()
async def plans(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    return ok([asdict(p) for p in await list_plans(session)])


@route()
async def units(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    query = select(Unit.id, Unit.name, Unit.kind).order_by(Unit.id)
    visible = P.visible_units(viewer.identity)
    if visible is not None:
        query = query.where(Unit.id.in_(visible))
    return ok([{"id": i, "name": n, "kind": k.value} for i, n, k in await session.execute(query)])


@route()
async def tasks(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    from models import Plan

    query = (
        select(Task.id, Task.number, Task.text, Plan.code)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Task.active)
        .order_by(Plan.id, Task.number)
    )
    if request.query.get("plan"):
        query = query.where(Plan.code == request.query["plan"])
    return ok(
        [
            {"id": i, "number": n, "text": t, "plan": c}
            for i, n, t, c in await session.execute(query)
        ]
    )


@route()
async def status(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    """The same document as `ledgerbot status --json`; a unit's people see their units only."""
    period = await period_of(request, session)
    if isinstance(period, web.Response):
        return period
    unit_ids: list[int] | None = None
    visible = P.visible_units(viewer.identity)
    if request.query.get("unit"):
        unit = await find_unit(session, request.query["unit"])
        if unit is None:
            return problem(404, f"unknown unit {request.query['unit']!r}")
        if not P.may_see_unit(viewer.identity, unit.id):
            return problem(403, "you may see your own units only")
        unit_ids = [unit.id]
    elif visible is not None:
        unit_ids = sorted(visible)
    result = await period_status(session, period=period, unit_ids=unit_ids, **as_of(request))
    return ok(status_json(result))


@route(P.staff)
async def grid(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    period = await period_of(request, session)
    if isinstance(period, web.Response):
        return period
    data = await request.app[GRIDS].grid(
        session, period=period, as_of=as_of(request), plan_code=request.query.get("plan") or None
    )
    return ok({**data, "marks": await ledger_marks.grid_marks(session, period)})


@route()
async def entry(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    """?period&task_id&unit_id: all versions of one unit's entry, with review outcomes."""
    period = await period_of(request, session)
    if isinstance(period, web.Response):
        return period
    task_id, unit_id = _int(request, "task_id"), _int(request, "unit_id")
    if task_id is None or unit_id is None:
        return problem(400, "give task_id and unit_id")
    if not P.may_see_unit(viewer.identity, unit_id):
        return problem(403, "you may see your own units only")
    if await session.get(Task, task_id) is None or await session.get(Unit, unit_id) is None:
        return problem(404, "no such task or unit")
    found = await entry_views.history(session, period=period.key, task_id=task_id,
                                      unit_id=unit_id)  # fmt: skip
    marks = await ledger_marks.entry_marks(session, period, unit_id=unit_id, task_id=task_id)
    return ok({**found, **marks})


@route(P.contact)
async def form(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    period = await period_of(request, session)
    if isinstance(period, web.Response):
        return period
    units: list[dict[str, Any]] = await entry_views.form(
        session, viewer.identity, period=period, as_of=as_of(request)
    )
    saved = await form_drafts.drafts_of(
        session, viewer.identity.user_id, period, as_of(request)["tz"]
    )
    form_drafts.attach(units, saved)
    return ok({"period": period.key, "units": units})


@route(P.principal)
async def reviews(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    return ok({"entries": await entry_views.review_queue(session, viewer.identity)})


def register(app: web.Application) -> None:
    app[GRIDS] = GridCache()
    for path, handler in (
        ("me", me), ("periods", periods), ("plans", plans), ("units", units),
        ("tasks", tasks), ("status", status), ("grid", grid), ("entry", entry),
        ("form", form), ("reviews", reviews),
    ):  # fmt: skip
        app.router.add_get(f"/api/v1/{path}", handler)
