"""保存草稿 on the server, on both databases: a draft saved from one device opens on the next
(it is the user's, per unit, period and task), saving again replaces it, only owed tasks of
one's own unit are kept, and submitting a task removes its draft only."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import FormDraft
from tests.webapp.conftest import MakeApi
from tests.webapp.world import BEFORE_DUE, CONTACT, CONTACT_2, PRINCIPAL, TRANSPORT, seed


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(FormDraft)) or 0)


def drafts(form: dict) -> dict[int, dict | None]:
    """Task number → its draft, without the moment it was saved (the clock runs on)."""
    return {
        t["number"]: t["draft"] and {k: v for k, v in t["draft"].items() if k != "saved_at"}
        for u in form["units"] for t in u["tasks"]
    }  # fmt: skip


async def test_a_draft_follows_the_contact_to_another_device_until_submitted(
    make_api: MakeApi,
) -> None:
    api = await make_api(BEFORE_DUE)
    ids = await api.run(seed)
    transport = ids[TRANSPORT]
    five = {"unit_id": transport, "task_id": ids["5"], "status": "behind",
            "progress": "路基完成60%", "problems": "征地拆迁滞后", "next_steps": ""}  # fmt: skip
    six = {"unit_id": transport, "task_id": ids["6"], "status": "on_track", "progress": ""}
    status, body = await api.post("form/draft?period=2023-05", CONTACT, {"items": [five, six]})
    assert (status, body["saved"]) == (200, 2)
    # Another device: the same user opens the form; each task carries its draft.
    _, form = await api.get("form?period=2023-05", CONTACT)
    assert drafts(form) == {
        5: {"status": "behind", "progress": "路基完成60%", "problems": "征地拆迁滞后",
            "next_steps": ""},
        6: {"status": "on_track", "progress": "", "problems": "", "next_steps": ""},
    }  # fmt: skip
    five["progress"] = "路基完成65%"
    assert (await api.post("form/draft?period=2023-05", CONTACT, {"items": [five]}))[0] == 200
    assert await api.run(_count) == 2  # replaced, not added
    _, form = await api.get("form?period=2023-05", CONTACT)
    assert drafts(form)[5]["progress"] == "路基完成65%"  # type: ignore[index]

    # Submitting 5 removes its draft; 6's stays.
    item = {"task_id": ids["5"], "status": "behind", "progress": "路基完成65%"}
    status, _ = await api.post("form?period=2023-05", CONTACT, {"items": [item]})
    assert status == 201
    _, form = await api.get("form?period=2023-05", CONTACT)
    assert drafts(form)[5] is None and drafts(form)[6] is not None
    assert await api.run(_count) == 1


async def test_only_a_contacts_own_owed_tasks_are_kept(make_api: MakeApi) -> None:
    api = await make_api(BEFORE_DUE)
    ids = await api.run(seed)
    transport = ids[TRANSPORT]
    item = {"unit_id": transport, "task_id": ids["5"], "status": "on_track", "progress": "x"}
    # CONTACT_2 reports for development, which owes 6 and 8, not transport's 5.
    assert await api.post("form/draft?period=2023-05", CONTACT_2, {"items": [item]}) == (
        403, {"error": f"task {ids['5']} is not owed by your unit {transport}"}
    )  # fmt: skip
    assert await api.post("form/draft?period=2023-05", PRINCIPAL, {"items": [item]}) == (
        403, {"error": "not allowed for your role"}
    )  # fmt: skip
    bad = {**item, "status": "finished"}
    status, body = await api.post("form/draft?period=2023-05", CONTACT, {"items": [bad]})
    assert status == 400 and body["error"].startswith(f"task {ids['5']}: status must be one of")
    assert (await api.post("form/draft", CONTACT, {"items": []}))[0] == 400
    assert await api.run(_count) == 0
