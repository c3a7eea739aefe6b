"""The scripted year of issue 10: the ledger of record driven through the real services."""

import pytest

# The phases of the year live in helper modules: let pytest explain their failed asserts too.
pytest.register_assert_rewrite("tests.scenario.first_quarter", "tests.scenario.second_quarter")
