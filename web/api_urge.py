"""POST /api/v1/units/{unit_id}/urge: [催办] from the Mini App's entry view. The same service as
the chat's /urge (`services.urging`: once per unit per working day, audited, the unit's people
told through the outbox in this transaction), about the open period."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from messages.urging import texts, urge_payload
from models import Unit
from services import permissions
from services.audit import Actor
from services.periods import open_period
from services.urging import UrgeRefused, prepare, send
from web.api_auth import Viewer, ok, problem, route
from web.api_read import as_of
from web.app import DEPS


@route(permissions.staff, write=True)
async def urge(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    """Chase the unit about what it still owes in the open period; 409 with the chat's own
    line when it may not be chased now (nothing missing, nobody bound, already urged today)."""
    unit_id = int(request.match_info["unit_id"])
    if await session.get(Unit, unit_id) is None:
        return problem(404, "no such unit")
    now = as_of(request)
    current = await open_period(session, now=now["now"], tz=now["tz"])
    asked = request.query.get("period")
    if asked and asked != current.key:
        return problem(409, f"{asked} is not the open ledger ({current.key}): nothing to urge")
    default = request.app[DEPS].runtime.settings.locale
    who = viewer.identity.user_id
    actor = Actor.mini_app(who) if viewer.via != "api" else Actor(via="api")
    try:
        urging = await prepare(session, unit_id=unit_id, period=current, **now)
        payloads = {r.contact_id: urge_payload(urging, r.language or default)
                    for r in urging.recipients}  # fmt: skip
        await send(session, urging, payloads, actor=actor, now=now["now"], tz=now["tz"])
    except UrgeRefused as refused:
        return problem(409, texts(refused.key, viewer.lang, **refused.values))
    sent = texts("sent", viewer.lang, unit=urging.unit, period=current.key,
                 tasks=len(urging.items), people=len(urging.recipients))  # fmt: skip
    return ok(
        {"unit": urging.unit, "period": current.key, "tasks": [i.number for i in urging.items],
         "people": len(urging.recipients), "message": sent},
        status=201,
    )  # fmt: skip


def register(app: web.Application) -> None:
    app.router.add_post(r"/api/v1/units/{unit_id:\d+}/urge", urge)
