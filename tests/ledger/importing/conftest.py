"""Paths to the real plan documents and to the hand-written variant fixtures."""

from pathlib import Path

import pytest

from tests.plans import require_plans

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def plans_dir() -> Path:
    return require_plans()  # ../shared/plans, or skip (fail in CI) saying so


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
