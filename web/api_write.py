"""POST routes of the HTTP API: submit the report form (every task at once) and 审定 (approve
or return an entry). They call the chat's services (versions, lateness, 审定, audit with the
Mini App as origin) and enqueue their messages in the same transaction."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.report_texts import texts
from ledger.reports import MAX_TEXT
from ledger.vocab import EntryStatus
from models import Task
from services import form_drafts, permissions
from services.reporting import Draft, ReportRefused, Source, submit
from services.reviewing import review
from web import notify
from web.api_auth import Viewer, ok, problem, route
from web.api_read import as_of, period_of
from web.app import DEPS

MAX_ITEMS = 200


def _drafts(body: Any) -> list[Draft] | str:
    """The form's items as drafts, or the one line saying what is wrong."""
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        return f"send {{'items': [...]}} with 1 to {MAX_ITEMS} tasks"
    drafts = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("task_id"), int):
            return "each item needs a task_id"
        try:
            status = EntryStatus(str(item.get("status")))
        except ValueError:
            return f"task {item['task_id']}: status must be one of {[s.value for s in EntryStatus]}"
        fields = {k: item.get(k) or "" for k in ("progress", "problems", "next_steps")}
        if not all(isinstance(v, str) for v in fields.values()):
            return f"task {item['task_id']}: the texts must be strings"
        if not fields["progress"].strip():
            return f"task {item['task_id']}: 进展情况 (progress) is empty"
        if any(len(v) > MAX_TEXT for v in fields.values()):
            return f"task {item['task_id']}: a text is longer than {MAX_TEXT} characters"
        drafts.append(
            Draft(0, status, fields["progress"], fields["problems"] or None,
                  fields["next_steps"] or None, task_id=item["task_id"])
        )  # fmt: skip
    return drafts


def _locale(request: web.Request) -> str:
    return request.app[DEPS].runtime.settings.locale


@route(permissions.contact, write=True)
async def submit_form(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    """Submit every task of the form at once: all stored, or none (one clear line why)."""
    period = await period_of(request, session)
    if isinstance(period, web.Response):
        return period
    try:
        drafts = _drafts(await request.json())
    except ValueError:
        drafts = "the body is not JSON"
    if isinstance(drafts, str):
        return problem(400, drafts)
    wanted = [d.task_id or 0 for d in drafts]
    rows = await session.execute(select(Task.id, Task.number).where(Task.id.in_(wanted)))
    numbers: dict[int, int] = {task_id: number for task_id, number in rows}
    if missing := [i for i in wanted if i not in numbers]:
        return problem(400, f"no task with id {missing[0]}")
    drafts = [replace(d, task_number=numbers[d.task_id or 0]) for d in drafts]
    now = as_of(request)
    user_id = viewer.identity.user_id
    stored = []
    for draft in drafts:
        source = Source(user_id, viewer.name, user_id, None, now["now"], via=viewer.via)
        try:
            recorded = await submit(
                session, identity=viewer.identity, draft=draft, period=period, source=source,
                rules=now["rules"], tz=now["tz"],
            )  # fmt: skip
        except ReportRefused as refused:
            return problem(400, texts(refused.key, viewer.lang, **refused.values))
        entry, number = recorded.entry, draft.task_number
        await form_drafts.discard(session, user_id=user_id, period=period.key,
                                  unit_id=entry.unit_id, task_id=entry.task_id)  # fmt: skip
        await notify.ask_approval(
            session, recorded, number, locale=_locale(request), now=now["now"]
        )
        stored.append(
            {"task_id": entry.task_id, "number": number, "entry_id": entry.id,
             "version": entry.version, "state": entry.state.value, "late": entry.late}
        )  # fmt: skip
    return ok({"period": period.key, "stored": stored}, status=201)


async def _review(
    request: web.Request, viewer: Viewer, session: AsyncSession, *, approve: bool
) -> web.Response:
    entry_id = request.match_info["entry_id"]
    note = None
    if not approve:
        try:
            body = await request.json()
        except ValueError:
            body = None
        note = body.get("reason") if isinstance(body, dict) else None
        if not isinstance(note, str) or not note.strip():
            return problem(400, texts("need_text", viewer.lang))
        if len(note) > MAX_TEXT:
            return problem(400, texts("report_too_long", viewer.lang))
    now = as_of(request)["now"]
    try:
        reviewed = await review(
            session, identity=viewer.identity, entry_id=int(entry_id), approve=approve,
            note=note, now=now, chat_id=None, via=viewer.via,
        )  # fmt: skip
    except ReportRefused as refused:
        status = 403 if refused.key == "not_your_entry" else 409
        return problem(status, texts(refused.key, viewer.lang))
    await notify.tell_reporter(session, reviewed, note, locale=_locale(request), now=now)
    entry = reviewed.entry
    return ok({"entry_id": entry.id, "state": entry.state.value, "number": reviewed.task_number})


@route(permissions.principal, write=True)
async def approve(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    return await _review(request, viewer, session, approve=True)


@route(permissions.principal, write=True)
async def return_entry(request: web.Request, viewer: Viewer, session: AsyncSession) -> web.Response:
    """Return an entry to its unit with {"reason": "..."}."""
    return await _review(request, viewer, session, approve=False)


def register(app: web.Application) -> None:
    app.router.add_post("/api/v1/form", submit_form)
    app.router.add_post(r"/api/v1/entries/{entry_id:\d+}/approve", approve)
    app.router.add_post(r"/api/v1/entries/{entry_id:\d+}/return", return_entry)
