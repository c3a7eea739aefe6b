"""Campaigns drive the real bot process, like the end-to-end tests (same fixtures)."""

from tests.e2e.conftest import ADMIN_ID, harness, tg

__all__ = ["ADMIN_ID", "harness", "tg"]
