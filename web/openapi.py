"""GET /api/v1/openapi.json: the API's description (OpenAPI 3.1), written by hand next to the
routes it describes; a test checks that every route is in it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from web.api_auth import ok

PERIOD = {
    "name": "period",
    "in": "query",
    "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
    "description": "YYYY-MM; default the open period",
}
DENIED = {"401": {"description": "no or bad credentials"}, "403": {"description": "not allowed"}}


def _get(summary: str, *params: dict[str, Any]) -> dict[str, Any]:
    responses = {"200": {"description": "JSON"}, **DENIED}
    return {"get": {"summary": summary, "parameters": list(params), "responses": responses}}


def _query(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": kind}}


def _post(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {"200": {"description": "JSON"}, "201": {"description": "stored"},
                      "400": {"description": "bad input: one line why, nothing changed"},
                      "401": {"description": "no or bad credentials"},
                      "403": {"description": "not allowed"}},
    }  # fmt: skip
    if body is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": body}}}
    return {"post": operation}


ITEM = {
    "type": "object",
    "required": ["task_id", "status", "progress"],
    "properties": {
        "task_id": {"type": "integer"},
        "status": {"enum": ["done", "on_track", "behind", "not_started"]},
        "progress": {"type": "string", "description": "进展情况"},
        "problems": {"type": "string", "description": "存在问题"},
        "next_steps": {"type": "string", "description": "下步打算"},
    },
}

DRAFT = {
    **ITEM,
    "required": ["unit_id", "task_id", "status"],
    "properties": {**ITEM["properties"], "unit_id": {"type": "integer"}},  # type: ignore[dict-item]
}

EVIDENCE = {
    "summary": "an attachment's file (佐证材料), fetched from Telegram: photos inline, documents "
    "as a download; staff and the entry's unit",
    "parameters": [
        {"name": "evidence_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ],
    "responses": {
        "200": {"description": "the file"},
        **DENIED,
        "404": {"description": "no such evidence"},
        "502": {"description": "Telegram did not give the file"},
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "ledgerbot 推进台账 API", "version": "1"},
    "components": {
        "securitySchemes": {
            "tma": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "tma <Telegram Mini App init data>",
            },
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "a token from `ledgerbot api-token create`",
            },
        }
    },
    "security": [{"tma": []}, {"bearer": []}],
    "paths": {
        "/api/v1/me": _get("the caller: roles, units, language, open period"),
        "/api/v1/periods": _get("ledger periods"),
        "/api/v1/plans": _get("plans"),
        "/api/v1/units": _get("units (a unit's people: their own)"),
        "/api/v1/tasks": _get("tasks", _query("plan")),
        "/api/v1/status": _get("the document of `ledgerbot status --json`", PERIOD, _query("unit")),
        "/api/v1/grid": _get(
            "the ledger grid (staff): tasks × units, one letter per cell", PERIOD, _query("plan")
        ),
        "/api/v1/grid/quarter": _get(
            "the quarter view (staff): milestone targets × units, each cell the answer: M met,"
            " P partly, X not met, ? unanswered, . not owed",
            {**_query("quarter"), "description": "YYYYQn; default the open period's quarter"},
        ),
        "/api/v1/grid/year": _get(
            "the year view (staff): months × units, each cell [counted, owed] (null: nothing "
            "owed), per month the totals and whether its deadline passed",
            {**_query("year", "integer"), "description": "YYYY; default the open period's year"},
        ),
        "/api/v1/entry": _get(
            "one unit's entry on one task with all versions",
            PERIOD,
            _query("task_id", "integer"),
            _query("unit_id", "integer"),
        ),
        "/api/v1/form": {
            **_get("the report form (contacts): owed tasks with their last version", PERIOD),
            **_post(
                "submit every task of the form at once",
                {"type": "object", "properties": {"items": {"type": "array", "items": ITEM}}},
            ),
        },
        "/api/v1/form/draft": _post(
            "保存草稿 (contacts): keep the form's unsent answers on the server (per unit, period,"
            " task and user; GET form returns them as each task's `draft`); submitting a task "
            "removes its draft",
            {"type": "object", "properties": {"items": {"type": "array", "items": DRAFT}}},
        ),
        "/api/v1/reviews": _get("entries waiting for the caller's 审定 (principals)"),
        "/api/v1/documents/{kind}.{suffix}": _get(
            "documents: ledger.xlsx (台账), bulletin.docx|xlsx (季通报), scorecard.xlsx (年考评, "
            "staff), entries.csv|json (staff), digest.png; a unit's people get their lines",
            PERIOD,
            _query("quarter"),
            _query("year", "integer"),
            {"name": "kind", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "suffix", "in": "path", "required": True, "schema": {"type": "string"}},
        ),
        "/api/v1/evidence/{evidence_id}": {"get": EVIDENCE},
        "/api/v1/units/{unit_id}/urge": _post(
            "催办 (staff, write): chase the unit about what it still owes in the open period; "
            "once per unit per working day (409 with the reason otherwise)"
        ),
        "/api/v1/entries/{entry_id}/approve": _post("审定通过"),
        "/api/v1/entries/{entry_id}/return": _post(
            "退回修改",
            {
                "type": "object",
                "required": ["reason"],
                "properties": {"reason": {"type": "string"}},
            },
        ),
    },
}


async def openapi(_request: web.Request) -> web.Response:
    return ok(DOCUMENT)


def register(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", openapi)
