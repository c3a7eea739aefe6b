"""Shared fixtures: real SQLite and real PostgreSQL databases built from the migrations.

PostgreSQL tests run when LEDGERBOT_TEST_POSTGRES_URL points at a server (each run creates
its own databases and drops them); otherwise they skip with the reason. With
LEDGERBOT_TEST_STRICT=1 (set by .ci/run) a missing component fails instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models import Base, schema
from models.db import make_engine, make_session_factory

pytest_plugins = ["pytester"]  # tests of the test fixtures themselves

POSTGRES_ENV = "LEDGERBOT_TEST_POSTGRES_URL"
STRICT_ENV = "LEDGERBOT_TEST_STRICT"
DATABASES = ["sqlite", "postgres"]

# The longest tests first, so that the two workers of `make test` (pytest-xdist, handed a few
# tests at a time: see the Makefile) end together on short ones instead of one waiting for the
# other's last campaign. Measured with --durations; a prefix of the test's id, in this order.
SLOWEST_FIRST = (
    "tests/campaigns/",
    "tests/security/test_authorisation_matrix.py",
    "tests/e2e/test_intake.py::test_a_failing_handler_is_retried_then_parked",
    "tests/security/test_secrets.py",
)


def missing_component(reason: str) -> None:
    """Skip for a newcomer without the component; fail in CI, where nothing may be skipped."""
    if os.environ.get(STRICT_ENV):
        pytest.fail(f"{reason} ({STRICT_ENV} is set, so this cannot be skipped)")
    pytest.skip(reason)


class PostgresServer:
    """Creates throw-away databases on the server named by LEDGERBOT_TEST_POSTGRES_URL."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.created: list[str] = []

    def _admin_dsn(self) -> str:
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def _execute(self, sql: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(self._admin_dsn())
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    def create_database(self) -> str:
        name = f"ledgerbot_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(self._execute(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _cost_rank(item: pytest.Item) -> int:
    for rank, prefix in enumerate(SLOWEST_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(SLOWEST_FIRST) + (0 if item.get_closest_marker("e2e") else 1)


def pytest_configure(config: pytest.Config) -> None:
    from tests.e2e.forkserver import ForkServer

    ForkServer.enabled = True  # bot processes fork from a prepared interpreter (its docstring)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_cost_rank)  # stable: the collection's order within each rank


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        missing_component(f"{POSTGRES_ENV} is not set: PostgreSQL tests need a server")
    assert url is not None
    server = PostgresServer(url)
    try:
        asyncio.run(server._execute("SELECT 1"))
    except (OSError, Exception) as exc:  # any connection failure means "no server"
        missing_component(f"PostgreSQL at {POSTGRES_ENV} is unreachable: {exc}")
    yield server
    server.drop_all()


async def _upgrade(url: str) -> None:
    engine = make_engine(url)
    try:
        await schema.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "ledgerbot.db"
    asyncio.run(_upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_migrated(postgres_server: PostgresServer) -> str:
    url = postgres_server.create_database()
    asyncio.run(_upgrade(url))
    return url


@pytest.fixture(params=DATABASES)
def db_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def db_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if db_kind == "sqlite":
        target = tmp_path / "ledgerbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("postgres_migrated")
    asyncio.run(_truncate_all(url))
    return url


@pytest.fixture
def empty_db_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of each kind with no tables at all (for migration tests)."""
    if db_kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


async def _truncate_all(url: str) -> None:
    from sqlalchemy import text

    engine = make_engine(url)
    try:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            # the migration's one row, with a number no earlier test's data was counted under
            await connection.execute(
                text("INSERT INTO status_revision (id, value, places) VALUES "
                     "(1, nextval('status_revision_values'), nextval('status_revision_values'))")
            )  # fmt: skip
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session
