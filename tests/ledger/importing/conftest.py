"""Paths to the real plan documents and to the hand-written variant fixtures."""

from pathlib import Path

import pytest

PLANS = Path("/work/shared/plans")
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def plans_dir() -> Path:
    if not PLANS.is_dir():
        pytest.skip("real plan documents not available")
    return PLANS


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
