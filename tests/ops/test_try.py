"""README's Quick start: `make try` runs the bot against the Telegram double, no token needed,
and a user made through the double's control API gets an answer."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.ops.test_startup import free_port
from tests.telegram_double import DoubleClient, DoubleError

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_make_try_answers_a_user_without_a_real_token(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERBOT_")}
    log = (tmp_path / "try.log").open("wb")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "try", f"TRY_PORT={port}", f"TRY_DB={tmp_path}/try.db"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,  # so the double and the bot stop with it
    )
    try:
        control = DoubleClient(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 90
        while True:
            try:
                if control.stats()["requests"].get("getUpdates", 0):
                    break
            except (DoubleError, httpx.TransportError):
                pass
            assert process.poll() is None, (tmp_path / "try.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "try.log").read_text()
            time.sleep(0.3)
        control.create_user("张三", user_id=1001)
        control.send_message(1001, "/help")
        answer = control.wait_for_messages(1001, 1, timeout=30)
        assert "/help" in answer[0]["text"]
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    assert (tmp_path / "try.db").exists()
