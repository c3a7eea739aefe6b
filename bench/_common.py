"""Helpers shared by the benchmarks: the double as a subprocess, peak RSS, percentiles.

Peak RSS is the kernel's high-water mark (``VmHWM`` in ``/proc/<pid>/status``); writing ``5``
to ``/proc/<pid>/clear_refs`` resets it, so one phase of a run can be measured on its own.
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TOKEN = "123456789:AAHbenchmarkTokenForTheDouble_xxxxxx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int | None = None) -> float:
    """The process's peak resident set size (VmHWM) in MiB."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/<pid>/status")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far: what load on the machine does
    not change, unlike wall-clock figures."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak_rss(pid: int | None = None) -> None:
    """Start a new high-water mark from the current RSS (Linux ``clear_refs`` 5)."""
    Path(f"/proc/{pid or os.getpid()}/clear_refs").write_text("5")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (``fraction`` in [0, 1])."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> str:
    """One line naming the machine the figures come from, with its load when we start."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}; "
        f"load average {load} (other processes share the machine)"
    )


class Control:
    """A minimal client of the double's ``/_control`` API.

    Deliberately not ``tests.telegram_double.DoubleClient``: importing that package pulls in
    the double's server and aiogram's models (~150 MiB), which would distort the peak RSS of
    a benchmark process that plays the bot.
    """

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=f"{url}/_control", timeout=60)

    def _do(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        reply = self._http.request(verb, path, json=body).json()
        if not reply.get("ok"):
            raise RuntimeError(f"{verb} {path}: {reply.get('error')}")
        return reply["result"]

    def create_user(self, first_name: str, *, user_id: int) -> Any:
        return self._do("POST", "/users", {"first_name": first_name, "id": user_id})

    def create_group(self, title: str, *, chat_id: int) -> Any:
        return self._do("POST", "/groups", {"title": title, "id": chat_id})

    def stats(self) -> dict[str, Any]:
        return dict(self._do("GET", "/stats"))

    def callback_answers(self) -> list[dict[str, Any]]:
        """Every callback query the double delivered, with the bot's answer (None: none)."""
        return list(self._do("GET", "/callback_answers"))

    def close(self) -> None:
        self._http.close()


def env_without_ledgerbot() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


class DoubleProcess:
    """``python -m tests.telegram_double`` in its own process (so it has its own core/GIL)."""

    def __init__(self, *, flood_limits: bool, log: Path) -> None:
        self.port = free_port()
        self.token = DEFAULT_TOKEN
        args = [sys.executable, "-m", "tests.telegram_double", "--port", str(self.port)]
        args += ["--token", self.token]
        if flood_limits:
            args.append("--flood-limits")
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            args, env=env_without_ledgerbot(), cwd=ROOT, stdout=self._log, stderr=self._log
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.url}/bot"
        deadline = time.monotonic() + 90  # importing aiogram takes ~17 s on a loaded machine
        while True:
            try:
                httpx.get(f"{self.url}/_control/version", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the double did not start; see {log}") from None
                time.sleep(0.05)
        self.control = Control(self.url)

    def stop(self) -> None:
        self.control.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()

    def __enter__(self) -> DoubleProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def py_spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy (installed in the virtualenv) recording process `pid` at 200 Hz into `out` (raw
    folded stacks); stop it with SIGINT to have it write the file."""
    spy = subprocess.Popen(
        [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid),
         "--rate", "200", "--format", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    time.sleep(1.0)
    return spy


async def migrate(url: str) -> None:
    """Bring the database at `url` to the newest revision (a fresh benchmark database)."""
    from models import schema
    from models.db import make_engine

    engine = make_engine(url)
    try:
        await schema.upgrade(engine)
    finally:
        await engine.dispose()
