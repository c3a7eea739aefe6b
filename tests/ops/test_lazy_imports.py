"""The bot and the command line start without the chart and document libraries (issue #17: idle
RSS ≤ 120 MB); they load when a chart or a document is first made."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "numpy", "PIL", "openpyxl", "docx", "lxml")


def modules_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running `code` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}


def test_the_bot_and_cli_start_without_charts_or_document_writers() -> None:
    loaded = modules_after("import ledgerbot.cli, ledgerbot.runner, ledgerbot.app, web.app")
    assert "telegram" in loaded and "sqlalchemy" in loaded  # the probe does see imports
    assert sorted(loaded & set(HEAVY)) == []


def test_drawing_a_chart_loads_matplotlib_then() -> None:
    code = (
        "from reports.chart import ChartRow, submission_chart\n"
        "png = submission_chart('2023-03', [ChartRow('市发改委', 1, 0, 0, 1)])\n"
        "assert png.startswith(bytes.fromhex('89504e47'))"
    )
    assert "matplotlib" in modules_after(code)
