"""Start `ledgerbot run` without importing it each time: a server process imports the CLI, the
bot and their libraries once (about 1.3 s of CPU, most of what a start costs), then forks a
process per start that runs `python -m ledgerbot ARGS` from there, with the environment, the
working directory and the log file a start names.

Each bot is still its own process running the whole `ledgerbot` entry point: it gets its
signals, writes its log, exits with its own code and is reaped by the test's process (the
harness makes itself the "child subreaper", so the bot, orphaned by the server's double fork,
becomes its child). A start whose environment differs from the server's in anything other
than the LEDGERBOT_* settings (an interpreter option, a locale) falls back to a new
interpreter, as does every start when LEDGERBOT_TEST_FORKSERVER=0. The test suite turns it on
(tests/conftest.py); the benchmarks that share the harness start a new interpreter each time,
as an operator's restart does.
"""

from __future__ import annotations

import atexit
import ctypes
import importlib
import json
import os
import runpy
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

PRELOAD = ("ledgerbot.cli", "ledgerbot.runner", "web.app")  # what `ledgerbot run` imports
SWITCH = "LEDGERBOT_TEST_FORKSERVER"
PR_SET_CHILD_SUBREAPER = 36
ROOT = str(Path(__file__).resolve().parents[2])  # the harness's PYTHONPATH


def _own(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("LEDGERBOT_")}


def _usual() -> dict[str, str]:
    """The environment every harness start has, but for its LEDGERBOT_* settings."""
    return {**_own(dict(os.environ)), "PYTHONPATH": ROOT}


class ForkedProcess:
    """The parts of `subprocess.Popen` the harness uses, for a process this one reaps."""

    def __init__(self, pid: int, args: list[str]) -> None:
        self.pid, self.args = pid, args
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """One server per test process, started on first use, ended with it."""

    enabled = False  # the test suite's choice (tests/conftest.py)
    _instance: ForkServer | None = None
    _lock = threading.Lock()

    def __init__(self, base_env: dict[str, str], log_path: Path) -> None:
        self.base_env = base_env
        self._stderr = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.forkserver"],
            env=base_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        atexit.register(self.close)

    @classmethod
    def spawn(
        cls,
        args: list[str],
        env: dict[str, str],
        log: Path,
        errors: Path | None = None,
        cwd: Path | None = None,
    ) -> ForkedProcess | subprocess.Popen[bytes]:
        """`python -m ledgerbot ARGS` with `env` in `cwd`, its output appended to `log` (its
        standard error to `errors` when given)."""
        with cls._lock:
            server = cls._instance
            usual = cls.enabled and os.environ.get(SWITCH, "1") != "0" and _own(env) == _usual()
            if server is None and usual:
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0:
                    server = cls._instance = ForkServer(_usual(), log.with_name("forkserver.log"))
            if server is not None and server.process.poll() is None and server.fits(env):
                pid = server.start(args, env, log, errors or log, cwd or Path.cwd())
                return ForkedProcess(pid, args)
        with log.open("ab") as out, (errors or log).open("ab") as err:
            return subprocess.Popen(
                [sys.executable, "-m", "ledgerbot", *args], env=env, cwd=cwd, stdout=out, stderr=err
            )

    def fits(self, env: dict[str, str]) -> bool:
        return self.enabled and os.environ.get(SWITCH, "1") != "0" and _own(env) == self.base_env

    def start(
        self, args: list[str], env: dict[str, str], log: Path, errors: Path, cwd: Path
    ) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        request = {
            "args": args,
            "env": env,
            "log": str(log),
            "errors": str(errors),
            "cwd": str(cwd),
        }
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the fork server stopped (exit {self.process.wait()})")
        return int(answer)

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._stderr.close()


# --- the server process ----------------------------------------------------------------------
def _become(request: dict) -> None:
    """In the forked process: take the start's environment, files and arguments, then run
    the `ledgerbot` entry point as `python -m ledgerbot` would (its SystemExit ends us)."""
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, path in ((1, request["log"]), (2, request["errors"])):
        opened = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdin = open(os.devnull)  # noqa: SIM115  (the process's stdin, for its whole life)
    sys.argv = ["ledgerbot", *request["args"]]
    runpy.run_module("ledgerbot", run_name="__main__", alter_sys=True)


def serve() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    assert threading.active_count() == 1, "a thread would not survive fork()"
    while line := sys.stdin.buffer.readline():
        request = json.loads(line)
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # fork again so that the bot is orphaned to the test's process
            os.close(read)
            if grandchild := os.fork():
                os.write(write, f"{grandchild}\n".encode())
                os._exit(0)
            os.close(write)
            _become(request)
            sys.exit(0)  # the entry point returned without exiting
        os.close(write)
        with os.fdopen(read, "rb") as answer:
            pid = answer.readline()
        os.waitpid(child, 0)  # once it is gone, the bot is the test process's child
        os.write(1, pid)


if __name__ == "__main__":
    serve()
