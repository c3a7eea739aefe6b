"""POST /api/v1/form/draft: the report form's [保存草稿], kept on the server per unit, period,
task and user (`services.form_drafts`); GET /api/v1/form returns them with each task."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.reports import MAX_TEXT
from ledger.vocab import EntryStatus
from services import form_drafts, permissions
from services.form_drafts import DraftItem, DraftRefused
from web.api_auth import Viewer, ok, problem, route
from web.api_read import as_of, period_of
from web.api_write import MAX_ITEMS


def _items(body: Any) -> list[DraftItem] | str:
    """The drafts sent, or the one line saying what is wrong (an empty progress is fine)."""
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        return f"send {{'items': [...]}} with 1 to {MAX_ITEMS} tasks"
    drafts = []
    for item in items:
        unit_id, task_id = (item.get("unit_id"), item.get("task_id")) if isinstance(
            item, dict) else (None, None)  # fmt: skip
        if not (isinstance(unit_id, int) and isinstance(task_id, int)):
            return "each item needs a unit_id and a task_id"
        try:
            status = EntryStatus(str(item.get("status")))
        except ValueError:
            return f"task {task_id}: status must be one of {[s.value for s in EntryStatus]}"
        texts = {k: item.get(k) or "" for k in form_drafts.FIELDS}
        if not all(isinstance(v, str) and len(v) <= MAX_TEXT for v in texts.values()):
            return f"task {task_id}: the texts must be strings of at most {MAX_TEXT} characters"
        drafts.append(DraftItem(unit_id, task_id, status, **texts))
    return drafts


@route(permissions.contact, write=True)
async def save_draft(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    period = await period_of(request, session)
    if isinstance(period, web.Response):
        return period
    try:
        items = _items(await request.json())
    except ValueError:
        items = "the body is not JSON"
    if isinstance(items, str):
        return problem(400, items)
    now = as_of(request)
    try:
        saved = await form_drafts.save(
            session, viewer.identity, period=period, items=items, as_of=now
        )
    except DraftRefused as refused:
        return problem(403, str(refused))
    return ok({"period": period.key, "saved": saved, "saved_at": now["now"].isoformat()})


def register(app: web.Application) -> None:
    app.router.add_post("/api/v1/form/draft", save_draft)
