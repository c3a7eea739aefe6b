"""The HTTP API on both databases: every endpoint × every role, the documents it returns,
and refused credentials (forged, expired, other bot's, revoked token)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.timetable import CalendarRules
from services import api_tokens
from services.audit import Actor
from services.status import period_status
from services.status_document import status_json
from tests.webapp.conftest import Api, MakeApi
from tests.webapp.world import (
    ADMIN,
    AFTER_DUE,
    BEFORE_DUE,
    CONTACT,
    CONTACT_2,
    DEVELOPMENT,
    PERIOD,
    PRINCIPAL,
    SHANGHAI,
    STAFF,
    STRANGER,
    TRANSPORT,
    WATER,
    init_data,
    seed_month,
)  # fmt: skip

READ_TOKEN, WRITE_TOKEN = "read", "write"  # replaced by real tokens in `api`
ROLES = {"staff": STAFF, "admin": ADMIN, "contact": CONTACT, "principal": PRINCIPAL,
         "stranger": STRANGER, "token": READ_TOKEN}  # fmt: skip
ALL = set(ROLES)
KNOWN = ALL - {"stranger"}
STAFFISH = {"staff", "admin", "token"}
ENDPOINTS = {
    "me": ALL,
    "periods": KNOWN,
    "plans": KNOWN,
    "units": KNOWN,
    "tasks": KNOWN,
    "status?period=2023-05": KNOWN,
    "grid?period=2023-05": STAFFISH,
    "form?period=2023-05": {"contact"},
    "reviews": {"principal"},
    "documents/ledger.xlsx?period=2023-05": KNOWN,
    "documents/bulletin.docx?quarter=2023Q2": KNOWN,
    "documents/scorecard.xlsx?year=2023": STAFFISH,
}


async def _token(session: AsyncSession, name: str, write: bool) -> str:
    return await api_tokens.create(
        session, name, can_write=write, now=BEFORE_DUE, actor=Actor.cli()
    )


@pytest.fixture
async def api(make_api: MakeApi) -> Api:
    api = await make_api(AFTER_DUE)
    api.ids = await api.run(seed_month)  # type: ignore[attr-defined]
    api.tokens = {  # type: ignore[attr-defined]
        READ_TOKEN: await api.run(lambda s: _token(s, "dashboard", False)),
        WRITE_TOKEN: await api.run(lambda s: _token(s, "office", True)),
    }
    return api


def who(api: Api, role: str) -> int | str:
    user = ROLES[role]
    return api.tokens[user] if isinstance(user, str) else user  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize("path", sorted(ENDPOINTS))
async def test_each_endpoint_answers_the_roles_allowed_and_refuses_the_others(
    api: Api, path: str, role: str
) -> None:
    if path.startswith("documents/"):
        response = await api.client.get(f"/api/v1/{path}", headers=api.auth(who(api, role)))
        status, body = response.status, await response.read()
        if role in ENDPOINTS[path]:
            assert status == 200 and body[:2] == b"PK", body[:200]  # a zip: xlsx or docx
            return
        body = json.loads(body)
    else:
        status, body = await api.get(path, who(api, role))
    if role in ENDPOINTS[path]:
        assert status == 200, body
    else:
        assert (status, body) == (403, {"error": "not allowed for your role"})


async def test_status_is_the_document_of_ledgerbot_status_json(api: Api) -> None:
    async def expected(session: AsyncSession) -> dict:
        result = await period_status(
            session, period=PERIOD, now=AFTER_DUE, rules=CalendarRules(), tz=SHANGHAI
        )
        return status_json(result)

    status, body = await api.get("status?period=2023-05", STAFF)
    assert status == 200 and body == await api.run(expected)
    assert [u["unit"] for u in body["units"]] == [TRANSPORT, DEVELOPMENT, WATER]
    assert [(u["owed"], u["submitted"]) for u in body["units"]] == [(2, 1), (2, 1), (1, 0)]


async def test_a_contact_sees_only_its_unit(api: Api) -> None:
    status, body = await api.get("status?period=2023-05", CONTACT)
    assert status == 200 and [u["unit"] for u in body["units"]] == [TRANSPORT]
    _, units = await api.get("units", CONTACT)
    assert [u["name"] for u in units] == [TRANSPORT]
    status, body = await api.get(f"status?period=2023-05&unit={WATER}", CONTACT)
    assert (status, body) == (403, {"error": "you may see your own units only"})
    water, task8 = api.ids[WATER], api.ids["8"]  # type: ignore[attr-defined]
    status, _ = await api.get(f"entry?period=2023-05&task_id={task8}&unit_id={water}", CONTACT)
    assert status == 403


async def test_the_grid_colours_each_cell_by_the_ledger_of_record(api: Api) -> None:
    status, grid = await api.get("grid?period=2023-05", STAFF)
    assert status == 200
    assert [t["number"] for t in grid["tasks"]] == [5, 6, 8]
    rows = {u["name"]: u["cells"] for u in grid["units"]}
    # transport: 5 approved (G), 6 waiting for 审定 (W), 8 not owed; development: 6 accepted
    # without a principal (G), 8 overdue on 06-08 (R); water: 8 overdue and nobody bound (r).
    assert rows == {TRANSPORT: "GW.", DEVELOPMENT: ".GR", WATER: "..r"}


async def test_before_the_deadline_nothing_is_red(make_api: MakeApi) -> None:
    api = await make_api(PERIOD_START := AFTER_DUE - timedelta(days=6))  # 06-02, 3 workdays left
    await api.run(seed_month)
    _, grid = await api.get("grid?period=2023-05", STAFF)
    assert PERIOD_START.weekday() == 4
    assert {u["name"]: u["cells"] for u in grid["units"]} == {
        TRANSPORT: "GW.",
        DEVELOPMENT: ".GN",
        WATER: "..n",
    }


async def test_an_entry_has_all_its_versions(api: Api) -> None:
    transport, task6 = api.ids[TRANSPORT], api.ids["6"]  # type: ignore[attr-defined]
    status, body = await api.get(f"entry?period=2023-05&task_id={task6}&unit_id={transport}", STAFF)
    assert status == 200 and body["unit"]["name"] == TRANSPORT and body["task"]["number"] == 6
    assert [(v["version"], v["state"], v["progress"]) for v in body["versions"]] == [
        (1, "submitted", "新开通公交线路2条。")
    ]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "tma ",
        "tma " + init_data(STAFF, at=AFTER_DUE).replace("hash=", "hash=0"),
        "tma " + init_data(STAFF, at=AFTER_DUE, token="654321:another-bot"),
        "tma " + init_data(STAFF, at=AFTER_DUE - timedelta(hours=24, seconds=1)),
        "tma " + init_data(STAFF, at=AFTER_DUE).replace("%22id%22%3A3001", "%22id%22%3A900"),
        "Bearer lbt_not-a-token",
        "Basic c3RhZmY6c3RhZmY=",
    ],
    ids=["none", "empty", "forged", "other-bot", "expired", "edited-user", "bad-token", "basic"],
)
async def test_bad_credentials_get_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = await api.client.get("/api/v1/grid", headers=headers)
    assert response.status == 401
    assert (await response.json())["error"]


async def test_init_data_a_day_old_is_still_accepted(api: Api) -> None:
    headers = {"Authorization": "tma " + init_data(STAFF, at=AFTER_DUE - timedelta(hours=23))}
    response = await api.client.get("/api/v1/grid?period=2023-05", headers=headers)
    assert response.status == 200


async def test_a_revoked_token_gets_401(api: Api) -> None:
    token = api.tokens[READ_TOKEN]  # type: ignore[attr-defined]
    assert (await api.get("plans", token))[0] == 200
    await api.run(lambda s: api_tokens.revoke(s, "dashboard", now=AFTER_DUE, actor=Actor.cli()))
    assert (await api.get("plans", token)) == (401, {"error": "unknown or revoked API token"})


async def test_a_read_only_token_cannot_write_and_a_write_token_is_no_contact(api: Api) -> None:
    item = {"task_id": api.ids["5"], "status": "done", "progress": "x"}  # type: ignore[attr-defined]
    read, write = (api.tokens[READ_TOKEN], api.tokens[WRITE_TOKEN])  # type: ignore[attr-defined]
    assert (await api.post("form", read, {"items": [item]}))[0] == 403
    assert (await api.post("form", write, {"items": [item]}))[0] == 403
    assert (await api.post("entries/1/approve", read, {}))[0] == 403


async def test_openapi_describes_every_route(api: Api) -> None:
    response = await api.client.get("/api/v1/openapi.json")
    document = await response.json()
    routes = {
        r.resource.canonical.replace("{entry_id:\\d+}", "{entry_id}")
        .replace("{kind:[a-z]+}", "{kind}")
        .replace("{suffix:[a-z]+}", "{suffix}")
        for r in api.client.app.router.routes()
        if r.resource is not None and r.resource.canonical.startswith("/api/v1/")
    }
    assert routes - {"/api/v1/openapi.json"} == set(document["paths"])
    assert CONTACT_2 and DEVELOPMENT  # the world has a second contact (used in test_writes)


async def test_a_contacts_ledger_download_has_its_own_lines_only(api: Api) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    def units_in(data: bytes) -> set[str]:
        book = load_workbook(BytesIO(data), read_only=True)
        cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                 for c in row if c}  # fmt: skip
        return {u for u in (TRANSPORT, DEVELOPMENT, WATER) if any(u in c for c in cells)}

    path = "/api/v1/documents/ledger.xlsx?period=2023-05"
    staff = await api.client.get(path, headers=api.auth(STAFF))
    contact = await api.client.get(path, headers=api.auth(CONTACT))
    assert units_in(await staff.read()) == {TRANSPORT, DEVELOPMENT, WATER}
    assert units_in(await contact.read()) == {TRANSPORT}
    assert contact.headers["Content-Disposition"] == 'attachment; filename="ledger-2023-05.xlsx"'
