"""Versions, the diff against the last approved version, and attachments on a real database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.history import Change
from ledger.vocab import ContactRole, EntryState, EntryStatus
from models import Contact
from services.history import changes_since_approved, evidence_of, task_history
from services.identity import identify
from services.units import match_units
from tests.services.test_reporting import (
    CONTACT,
    MARCH,
    ON_TIME,
    PRINCIPAL,
    _review,
    _submit,
    registry,
)

__all__ = ["registry"]  # the fixture, shared with the reporting tests

PHOTO = {"kind": "photo", "file_id": "p1", "file_unique_id": "u1", "file_name": None}
PLAN = {"kind": "document", "file_id": "d1", "file_unique_id": "u2", "file_name": "方案.pdf"}


async def test_versions_and_changes_since_approved(
    session: AsyncSession, registry: dict[str, int]
) -> None:
    session.add(
        Contact(
            telegram_user_id=PRINCIPAL, unit_id=registry["transport"], role=ContactRole.PRINCIPAL
        )
    )
    await session.flush()
    principal = await identify(session, PRINCIPAL)
    first = await _submit(session, CONTACT, 5, text="路基完成70%", evidence=[PHOTO])
    assert await changes_since_approved(session, first.entry.id) is None  # nothing approved yet
    await _review(session, principal, first.entry.id, True)
    second = await _submit(
        session, CONTACT, 5, at=ON_TIME + timedelta(hours=1), status=EntryStatus.DONE,
        text="路基完成100%", evidence=[PHOTO, PLAN],
    )  # fmt: skip
    assert await changes_since_approved(session, second.entry.id) == [
        Change("status", "on_track", "done"),
        Change("progress", "路基完成70%", "路基完成100%"),
        Change("evidence", "1", "2", ("方案.pdf",), ()),
    ]
    await _review(session, principal, second.entry.id, False)
    third = await _submit(session, CONTACT, 5, at=ON_TIME + timedelta(hours=2), text="路基完成70%")
    # Against version 1 (the last approved), not the returned version 2.
    assert await changes_since_approved(session, third.entry.id) == [
        Change("evidence", "1", "0", (), ("photo",))
    ]

    versions = await task_history(
        session, unit_id=registry["transport"], task_id=first.entry.task_id, period=MARCH
    )
    assert [(v.version, v.state, v.is_current) for v in versions] == [
        (1, EntryState.APPROVED, False),
        (2, EntryState.RETURNED, False),
        (3, EntryState.SUBMITTED, True),
    ]
    assert versions[1].review_note == "请补充数据" and versions[1].reviewer == str(PRINCIPAL)
    assert [c.field for c in versions[2].changes] == ["status", "progress", "evidence"]
    files = await evidence_of(
        session, unit_id=registry["transport"], task_id=first.entry.task_id, period=MARCH
    )
    assert [(f.label, f.version, f.reporter) for f in files] == [
        ("photo", 1, "张三"),
        ("方案.pdf", 2, "张三"),
    ]


async def test_match_units_by_part(session: AsyncSession, registry: dict[str, int]) -> None:
    assert [u.name for u in await match_units(session, "交通")] == ["市交通运输局"]
    assert [u.name for u in await match_units(session, "局")] == ["市交通运输局", "市水务局"]
    assert await match_units(session, "教育局") == []


async def test_exports_read_the_attachments(
    session: AsyncSession, registry: dict[str, int]
) -> None:
    from services.report_entries import load_entries

    await _submit(session, CONTACT, 5, evidence=[PHOTO, PLAN])
    await _submit(session, CONTACT, 6)
    entries = await load_entries(session, plan_id=None, periods=["2023-03"], current_only=False)
    by_task = {e.task_number: e for e in entries}
    assert [(a.kind, a.file_name, a.reporter, a.at) for a in by_task[5].attachments] == [
        ("photo", None, "张三", ON_TIME),
        ("document", "方案.pdf", "张三", ON_TIME),
    ]
    assert by_task[6].attachments == ()
