"""`ledgerbot export … -o FILE` never overwrites by surprise, never follows a symlink, never
leaves half a file, and says what is wrong in one line (exit 2). Years no ledger can have are
refused the same way (issue #11)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledgerbot.cli import app
from tests.cli.test_cli import _seed, cli_env

runner = CliRunner()
__all__ = ["cli_env"]


def _export(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["export", "ledger", "--period", "2023-03", *args])
    return result.exit_code, result.output


@pytest.fixture
def seeded(cli_env: str) -> str:
    asyncio.run(_seed(cli_env))
    return cli_env


def test_an_existing_file_is_kept_unless_forced(seeded: str, tmp_path: Path) -> None:
    target = tmp_path / "ledger.xlsx"
    target.write_bytes(b"keep me")
    code, output = _export("-o", str(target))
    assert (code, output.strip()) == (2, f"error: {target} exists: add --force to replace it")
    assert target.read_bytes() == b"keep me"
    code, output = _export("-o", str(target), "--force")
    assert code == 0, output
    assert target.read_bytes()[:2] == b"PK"  # an .xlsx is a zip
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_symlink_is_never_followed(seeded: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("secret")
    link = tmp_path / "ledger.xlsx"
    link.symlink_to(victim)
    for extra in ((), ("--force",)):
        code, output = _export("-o", str(link), *extra)
        assert (code, output.strip()) == (
            2,
            f"error: {link} is a symbolic link: refusing to write through it",
        )
    assert victim.read_text() == "secret" and os.readlink(link) == str(victim)


def test_a_folder_or_a_missing_folder_is_one_line(seeded: str, tmp_path: Path) -> None:
    code, output = _export("-o", str(tmp_path))
    assert (code, output.strip()) == (2, f"error: {tmp_path} is a directory: give a file name")
    missing = tmp_path / "nowhere" / "ledger.xlsx"
    code, output = _export("-o", str(missing))
    assert (code, output.strip()) == (2, f"error: folder {missing.parent} does not exist")
    assert not missing.parent.exists()


def test_a_year_no_ledger_can_have_is_refused(seeded: str, tmp_path: Path) -> None:
    wanted = "error: year 9999 is out of range: ledgers cover 2000..2999"
    out = tmp_path / "out"
    out.mkdir()
    for args in (
        ["export", "ledger", "--period", "9999-12"],
        ["export", "bulletin", "--quarter", "9999Q4"],
        ["export", "scorecard", "--year", "9999"],
        ["digest", "--period", "9999-12"],
    ):
        result = runner.invoke(app, [*args, "-o" if args[0] == "export" else "--out",
                                     str(out / "x.xlsx")])  # fmt: skip
        assert (result.exit_code, result.output.strip()) == (2, wanted), args
    assert list(out.iterdir()) == []
