"""`ledgerbot tasks --unit`: a member of a collective works on the collective's tasks too."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import list_tasks
from tests.services.test_reporting import registry

__all__ = ["registry"]  # the fixture, shared with the reporting tests


async def test_tasks_of_a_member_include_its_collectives(
    session: AsyncSession, registry: dict[str, int]
) -> None:
    # 雁江区 is listed on no task itself; 各县(区) leads task 3 and supports task 5.
    assert [t.number for t in await list_tasks(session=session, unit_name="雁江区")] == [3, 5]
    assert [t.number for t in await list_tasks(session=session, unit_name="市水务局")] == [8]
    assert await list_tasks(session=session, unit_name="不存在") == []
