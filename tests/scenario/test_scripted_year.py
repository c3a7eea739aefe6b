"""The scripted year (issue 10): see the phase modules for the figures, worked by hand."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import missing_component
from tests.scenario import first_quarter
from tests.scenario.plans import POINTS
from tests.scenario.year import Year


async def test_scripted_year(session_factory: async_sessionmaker[AsyncSession]) -> None:
    if not POINTS.is_file():
        missing_component(f"the 2023 points are not at {POINTS}: see ../shared/plans")
    y = Year(session_factory)
    await first_quarter.set_up(y)
    await first_quarter.march(y)
    await first_quarter.first_bulletin(y)
