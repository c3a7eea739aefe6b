"""Where the public plan documents are: `../shared/plans` beside the repository, or the folder
named by LEDGERBOT_PLANS_DIR. Tests that read them skip with the reason when they are absent
(and fail in CI, see `missing_component`); tests that only need *a* plan use the project's own
documents in `tests/fixtures/plans/`, written in the same shapes."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import missing_component

REPOSITORY = Path(__file__).resolve().parents[1]
PLANS_ENV = "LEDGERBOT_PLANS_DIR"
OWN_PLANS = Path(__file__).resolve().parent / "fixtures" / "plans"
OWN_POINTS = OWN_PLANS / "ziyang-2024-points.txt"  # prose, like the 2023 work points
OWN_TABLE = OWN_PLANS / "metro-2021-key-tasks.txt"  # a flattened table, like the 2021 table


def plans_dir() -> Path:
    """The plan documents' folder (it may not exist)."""
    configured = os.environ.get(PLANS_ENV)
    return Path(configured) if configured else REPOSITORY.parent / "shared" / "plans"


def require_plans() -> Path:
    """The folder, or skip (fail in CI) naming where the documents were looked for."""
    folder = plans_dir()
    if not folder.is_dir():
        missing_component(
            f"the plan documents are not in {folder} (they live in ../shared/plans beside the "
            f"repository; set {PLANS_ENV} to use another folder)"
        )
    return folder


def plan_document(name: str) -> Path:
    """One plan document, or skip (fail in CI) with the reason."""
    path = require_plans() / name
    if not path.is_file():
        missing_component(f"the plan document {name} is not in {path.parent}")
    return path
