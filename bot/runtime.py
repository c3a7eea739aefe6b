"""What every handler and job needs, built once per process in `post_init`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from config import Settings
from ledger.clock import Clock
from ledger.timetable import AsOf
from models.db import transaction


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    staff_menus: set[int] = field(default_factory=set)  # staff whose command menu is set
    app_menus: set[int] = field(default_factory=set)  # users whose Mini App menu button is set

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One transaction per unit of work: commit on success, roll back on error."""
        async with transaction(self.session_factory) as session:
            yield session

    def as_of(self) -> AsOf:
        """Now, in the bureau's calendar: what every read of the ledger of record takes."""
        return AsOf(now=self.clock.now(), rules=self.settings.calendar_rules(), tz=self.settings.tz)
