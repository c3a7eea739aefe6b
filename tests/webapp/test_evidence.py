"""Evidence through the bot's own server, on both databases: the file is fetched from Telegram
(here the Telegram double, through LEDGERBOT_TELEGRAM_BASE_URL) only for a caller who may see
the entry's unit; photos come inline, documents as a download under their own name."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Evidence, ProgressEntry
from tests.telegram_double.server import TelegramDouble
from tests.webapp.conftest import Api, MakeApi
from tests.webapp.world import (
    AFTER_DUE,
    CONTACT,
    CONTACT_2,
    PRINCIPAL,
    STAFF,
    TOKEN,
    TRANSPORT,
    seed_month,
)  # fmt: skip

JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
PDF = b"%PDF-1.4\n% a plan\n%%EOF\n"


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    async with TelegramDouble(token=TOKEN) as served:
        yield served
        assert served.problems() == []


async def _attach(session: AsyncSession, ids: dict[str, int], double: TelegramDouble) -> list[int]:
    """A photo and a document on transport's report of task 6; returns their evidence ids."""
    entry = await session.scalar(
        select(ProgressEntry.id).where(
            ProgressEntry.unit_id == ids[TRANSPORT], ProgressEntry.task_id == ids["6"]
        )
    )
    assert entry is not None
    photo = double.state.add_file(JPEG, "photo", mime="image/jpeg")
    document = double.state.add_file(PDF, "document", "线路开通方案.pdf", "application/pdf")
    rows = [
        Evidence(entry_id=entry, kind="photo", file_id=photo.file_id),
        Evidence(entry_id=entry, kind="document", file_id=document.file_id,
                 file_name="线路开通方案.pdf"),
    ]  # fmt: skip
    session.add_all(rows)
    await session.flush()
    return [r.id for r in rows]


@pytest.fixture
async def api(make_api: MakeApi, double: TelegramDouble) -> Api:
    api = await make_api(AFTER_DUE, telegram_base_url=double.base_url)
    api.ids = ids = await api.run(seed_month)  # type: ignore[attr-defined]
    api.evidence = await api.run(lambda s: _attach(s, ids, double))  # type: ignore[attr-defined]
    return api


async def _download(api: Api, evidence_id: int, who: int) -> tuple[int, dict[str, str], bytes]:
    response = await api.client.get(f"/api/v1/evidence/{evidence_id}", headers=api.auth(who))
    return response.status, dict(response.headers), await response.read()


async def test_the_entry_lists_its_evidence_and_each_file_comes_through(api: Api) -> None:
    photo, document = api.evidence  # type: ignore[attr-defined]
    task, unit = api.ids["6"], api.ids[TRANSPORT]  # type: ignore[attr-defined]
    status, entry = await api.get(f"entry?period=2023-05&task_id={task}&unit_id={unit}", STAFF)
    assert status == 200
    assert entry["versions"][0]["evidence"] == [
        {"id": photo, "kind": "photo", "file_name": None, "caption": None},
        {"id": document, "kind": "document", "file_name": "线路开通方案.pdf", "caption": None},
    ]
    for who in (STAFF, CONTACT, PRINCIPAL):
        status, headers, body = await _download(api, photo, who)
        assert (status, body) == (200, JPEG)
        assert (headers["Content-Type"], headers["Content-Disposition"]) == (
            "image/jpeg", "inline"
        )  # fmt: skip
    status, headers, body = await _download(api, document, STAFF)
    assert (status, body) == (200, PDF)
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E7%BA%BF%E8%B7%AF%E5%BC%80%E9%80%9A%E6%96%B9%E6%A1%88.pdf"
    )


async def test_another_units_contact_gets_nothing_and_telegram_is_not_asked(
    api: Api, double: TelegramDouble
) -> None:
    photo, _ = api.evidence  # type: ignore[attr-defined]
    asked = double.stats.requests["getFile"]
    status, _, body = await _download(api, photo, CONTACT_2)
    assert (status, body) == (403, b'{"error":"you may see your own units only"}')
    assert double.stats.requests["getFile"] == asked
    assert (await api.get("evidence/999999", STAFF)) == (404, {"error": "no such evidence"})
    assert (await api.get("evidence/x", STAFF)) == (400, {"error": "the evidence id is a number"})


async def test_a_file_telegram_will_not_give_is_one_line(api: Api, double: TelegramDouble) -> None:
    photo, _ = api.evidence  # type: ignore[attr-defined]
    double.state.files.clear()  # gone on Telegram's side
    double.expect_error("getFile", "invalid file_id")
    assert await api.get(f"evidence/{photo}", STAFF) == (
        502, {"error": "Telegram did not give the file; try again later"}
    )  # fmt: skip
