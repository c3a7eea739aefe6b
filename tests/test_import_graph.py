"""The import graph runs one way: the composition root (ledgerbot/) and the chat (bot/) on top,
then the scheduler, the shared messages and the services, with the rules (ledger/) at the
bottom importing no framework at all. Imports are read from the source, so an arrow added inside
a function is caught too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UPPER = {"bot", "ledgerbot", "web"}
FORBIDDEN: dict[str, set[str]] = {
    "ledger": UPPER
    | {"scheduler", "services", "messages", "models", "reports"}
    | {"telegram", "apscheduler", "sqlalchemy"},
    "models": UPPER | {"scheduler", "services", "messages"},
    "reports": UPPER | {"scheduler"},
    "services": UPPER | {"scheduler", "messages"},
    "messages": UPPER | {"scheduler"},
    "scheduler": UPPER,
    "config": UPPER | {"scheduler", "services", "messages"},
}


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.partition(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module.partition(".")[0]))
    return found


def arrows_against_the_grain(package: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, target in imported(path)
        if target in FORBIDDEN[package]
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_runs_back_up(package: str) -> None:
    assert arrows_against_the_grain(package) == []


def test_the_check_sees_an_arrow(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os\n\ndef f():\n    from bot.access import caller\n    import telegram.ext\n"
    )
    assert imported(module) == [(1, "os"), (4, "bot"), (5, "telegram")]
