"""Hostile and largest-allowed import files: exit code, seconds and peak RSS of `ledgerbot import`.

Each file of issue 11 is generated at full size in a temporary folder (a 1.5 GB zip bomb,
a 100 MB .txt, …), then imported with `--dry-run --json` in its own process; the peak RSS is the
child's (wait4). Files just inside the default limits show the memory bound (goal ≤ 500 MB).

Run: .venv/bin/python bench/bench_hostile.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ledger.importing import hostile

ROOT = Path(__file__).resolve().parents[1]
LEDGERBOT = ROOT / ".venv" / "bin" / "ledgerbot"
RSS_GOAL_MB = 500.0
FILES: list[tuple[str, Callable[[Path], Path], int]] = [
    ("dimension A1:XFD1048576 (.xlsx)", hostile.huge_dimension_xlsx, 2),
    ("zip bomb .xlsx (1.5 GB of XML)", hostile.zip_bomb_xlsx, 2),
    ("zip bomb .docx (1.5 GB of XML)", hostile.zip_bomb_docx, 2),
    ("billion laughs .xlsx", hostile.billion_laughs_xlsx, 2),
    ("100 MB .txt", lambda d: hostile.big_text(d, 100), 2),
    ("120 MB .csv", lambda d: hostile.big_text(d, 120, ".csv"), 2),
    ("Shift-JIS .txt", hostile.shift_jis_text, 2),
    ("within limits: 10 MB .txt", lambda d: hostile.big_text(d, 10), 0),
    ("within limits: .csv 99,990 two-cell rows", hostile.two_column_csv, 0),
    ("within limits: .xlsx 190,000 cells", lambda d: hostile.dense_xlsx(d, 190_000), 0),
    ("within limits: .docx 19.9 MB of XML", lambda d: hostile.dense_docx(d, 19.9), 0),
]
IMPORTED = [("import into SQLite: .csv 99,990 two-cell rows", hostile.two_column_csv)]


def run(path: Path, *, dry_run: bool = True) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS MiB, last stderr line) of one import in its own process."""
    start = time.perf_counter()
    args = [str(LEDGERBOT), "import", str(path), "--json", "--year", "2024"]
    env = os.environ | {"LEDGERBOT_DATABASE_URL": f"sqlite+aiosqlite:///{path.parent}/bench.db"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [*args, "--dry-run"] if dry_run else args,
            stdout=out,
            stderr=err,
            cwd=path.parent,
            env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        err.seek(0)
        lines = [
            line for line in err.read().decode().splitlines() if not line.startswith("reading")
        ]
    return child.returncode, elapsed, usage.ru_maxrss / 1024, (lines or [""])[-1]


def main() -> None:
    print(f"{'file':<46} {'size':>9} {'exit':>4} {'seconds':>8} {'peak RSS':>9}  ratio to 500 MB")
    cases = [(label, make, expected, True) for label, make, expected in FILES]
    cases += [(label, make, 0, False) for label, make in IMPORTED]
    for label, make, expected, dry_run in cases:
        with tempfile.TemporaryDirectory() as folder:
            path = make(Path(folder))
            size = path.stat().st_size / 1e6
            code, seconds, rss, last = run(path, dry_run=dry_run)
        mark = "" if code == expected else f"  (expected exit {expected})"
        print(
            f"{label:<46} {size:7.1f}MB {code:>4} {seconds:8.1f} {rss:7.0f}MB  "
            f"{rss / RSS_GOAL_MB:5.2f}{mark}"
        )
        if code:
            print(f"    {last[:110]}")


if __name__ == "__main__":
    main()
