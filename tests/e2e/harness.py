"""Drive the real `ledgerbot run` process over HTTP through the Telegram Bot API double."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from models import OutboxMessage
from models.db import make_engine
from services.outbox import OPEN_STATES
from tests.e2e.forkserver import ForkedProcess, ForkServer
from tests.e2e.seed import watching_since
from tests.telegram_double import DoubleClient, DoubleError, ThreadedDouble

Message = dict[str, Any]

# Commands that only read or write the database (and, for `fire`, call the Bot API).
IN_PROCESS_COMMANDS = frozenset(
    {"invite", "invites", "unbind", "staff", "import", "units", "status", "tasks", "pause",
     "resume", "plan", "period", "outbox", "inbox", "fire", "export", "digest", "api-token"}
)  # fmt: skip


def _cli_in_process(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """The CLI's own command code, run here with `env` as the whole LEDGERBOT_* environment."""
    from typer.testing import CliRunner

    from ledgerbot.cli import app

    patch: dict[str, str | None] = {k: None for k in os.environ if k not in env}
    patch.update(env)
    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args, env=patch)
    finally:
        os.chdir(before)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(
        ["ledgerbot", *args], result.exit_code, result.stdout, stderr
    )


def _cli_process(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """`python -m ledgerbot ARGS` as its own process (forked from the prepared interpreter)."""
    with tempfile.TemporaryDirectory() as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        process = ForkServer.spawn(args, env, out, err, cwd)
        try:
            code = process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        stdout, stderr = (p.read_text(encoding="utf-8", errors="replace") for p in (out, err))
    return subprocess.CompletedProcess(["ledgerbot", *args], code, stdout, stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """One `ledgerbot run` subprocess; its log is kept for failure reports."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.process: ForkedProcess | subprocess.Popen[bytes] | None = None

    def start(self, tg: DoubleClient, timeout: float = 30.0, wait: bool = True) -> None:
        """Start and wait until it polls (or, in webhook mode, has set its webhook)."""
        ready = "setWebhook" if self.env.get("LEDGERBOT_WEBHOOK_URL") else "getUpdates"
        before = tg.stats()["requests"].get(ready, 0)
        self.process = ForkServer.spawn(["run"], self.env, self.log_path)
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while tg.stats()["requests"].get(ready, 0) <= before:
            if self.process.poll() is not None:
                raise RuntimeError(f"bot exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"bot did not start polling:\n{self.log()}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20.0) -> int:
        """Stop like Ctrl-C does; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class Harness:
    """The world of one test: the double, the database, the bot process and its CLI."""

    def __init__(
        self, tg: ThreadedDouble, db_url: str, workdir: Path, admin_ids: list[int]
    ) -> None:
        self.tg, self.db_url, self.workdir = tg, db_url, workdir
        self.control = tg.client()
        self.admin_ids = admin_ids
        self.extra_env: dict[str, str] = {}
        self.bot = BotProcess(self.env(), workdir / "bot.log")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERBOT_")}
        env.update(
            LEDGERBOT_TELEGRAM_TOKEN=self.tg.token,
            LEDGERBOT_TELEGRAM_BASE_URL=self.tg.base_url,
            LEDGERBOT_DATABASE_URL=self.db_url,
            LEDGERBOT_ADMIN_IDS=",".join(map(str, self.admin_ids)),
            LEDGERBOT_POLLING_TIMEOUT="1",
            PYTHONPATH=str(Path(__file__).resolve().parents[2]),
        )
        env.update(self.extra_env)
        if "LEDGERBOT_WEBHOOK_URL" not in env:  # polling: no web server unless a test asks
            env.setdefault("LEDGERBOT_WEB_PORT", "0")
        return env

    def use_webhook(self, secret: str = "double-webhook-secret") -> str:
        """Webhook mode on a free port (so parallel bots never collide); returns its URL."""
        port = free_port()
        url = f"http://127.0.0.1:{port}/telegram/hook"
        self.extra_env.update(
            LEDGERBOT_WEBHOOK_URL=url,
            LEDGERBOT_WEBHOOK_SECRET=secret,
            LEDGERBOT_WEB_PORT=str(port),
            LEDGERBOT_WEB_LISTEN="127.0.0.1",
        )
        return url

    def serve_web(self) -> str:
        """Polling with the web server on (for /healthz) on a free port; returns its base URL."""
        port = free_port()
        self.extra_env.update(LEDGERBOT_WEB_PORT=str(port), LEDGERBOT_WEB_LISTEN="127.0.0.1")
        return f"http://127.0.0.1:{port}"

    def start(self, *, wait: bool = True, **settings: str) -> None:
        self.extra_env.update(settings)
        if fake_now := self.extra_env.get("LEDGERBOT_FAKE_NOW"):
            asyncio.run(watching_since(self.db_url, datetime.fromisoformat(fake_now)))
        self.bot = BotProcess(self.env(), self.workdir / "bot.log")
        self.bot.start(self.control, wait=wait)

    def run_until_killed(
        self, after: int, counts: Callable[[Message], bool], timeout: float = 60.0, **settings: str
    ) -> None:
        """Start the bot and SIGKILL it from inside the double right after the double applied
        the `after`-th send that `counts`, before answering it: the kill lands in the middle
        of the work by construction. Returns once the bot is dead and its sends settled."""
        fired = threading.Event()
        seen = 0

        def hook(method: str, message: Message) -> None:
            nonlocal seen
            process = self.bot.process
            if fired.is_set() or process is None or not counts(message):
                return
            seen += 1
            if seen >= after:
                os.kill(process.pid, signal.SIGKILL)
                fired.set()

        hooks = self.tg.double.send_hooks
        hooks.append(hook)
        try:
            self.start(wait=False, **settings)
            if not fired.wait(timeout):
                raise AssertionError(
                    f"only {seen} of {after} sends came:\n{self.bot.log()[-3000:]}"
                )
        finally:
            hooks.remove(hook)
            self.bot.kill()
        self.tg.wait_sends_done()

    def wait_drained(self, timeout: float = 60.0) -> None:
        """The positive signal before a negative check: the bot is up (so its start-up
        catch-up has run), no outbox row is open, and the double handles no send."""
        deadline = time.monotonic() + timeout
        while asyncio.run(_open_rows(self.db_url)):
            if time.monotonic() > deadline:
                raise AssertionError(f"the outbox did not drain:\n{self.bot.log()[-3000:]}")
            time.sleep(0.1)
        self.tg.wait_sends_done()

    def expect_error(self, method: str, description: str, times: int | None = None) -> None:
        """This test provokes a 4xx on purpose (exactly `times` times, or at least once);
        any other 4xx fails it at teardown."""
        self.tg.expect_error(method, description, times)

    def cli(
        self, *args: str, check: bool = True, process: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """`ledgerbot ARGS` with the bot's settings. The registry and ledger commands tests use
        for their setting-up run the same command code in this process (a new interpreter costs
        seconds of imports each time); `process=True`, and the commands that own a process
        (run, doctor, backup, restore, db), run `python -m ledgerbot` as a user would."""
        if process or args[0] not in IN_PROCESS_COMMANDS:
            result = _cli_process(list(args), self.env(), self.workdir)
        else:
            result = _cli_in_process(list(args), self.env(), self.workdir)
        if check and result.returncode != 0:
            raise AssertionError(f"ledgerbot {' '.join(args)} failed:\n{result.stderr}")
        return result

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json").stdout)

    # acting as users
    def user(self, name: str, language: str | None = None) -> int:
        return int(self.control.create_user(name, language_code=language)["id"])

    def bot_messages(self, chat_id: int) -> list[Message]:
        return list(self.control.messages(chat_id))

    def _after(self, chat_id: int, before: int, count: int, timeout: float) -> list[Message]:
        try:
            messages = self.control.wait_for_messages(chat_id, before + count, timeout=timeout)
        except (TimeoutError, DoubleError) as error:
            log = self.bot.log()[-3000:]
            raise AssertionError(f"bot did not answer in time ({error}):\n{log}") from error
        return list(messages[before:])

    def say(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to: int | None = None,
        expect: int = 1,
        timeout: float = 30.0,
    ) -> list[Message]:
        """The user writes; returns the bot's `expect` new messages in that chat."""
        chat = chat_id or user_id
        before = len(self.bot_messages(chat))
        self.control.send_message(user_id, text, chat_id=chat_id, reply_to_message_id=reply_to)
        return self._after(chat, before, expect, timeout)

    def press(
        self, user_id: int, message: Message, data: str, *, expect: int = 1, timeout: float = 30.0
    ) -> list[Message]:
        chat = int(message["chat"]["id"])
        before = len(self.bot_messages(chat))
        self.control.press_button(user_id, message["message_id"], chat_id=chat, data=data)
        return self._after(chat, before, expect, timeout)

    def press_for_answer(
        self, user_id: int, message: Message, data: str, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Press a button whose only effect is a callback answer (an alert); return it."""
        chat = int(message["chat"]["id"])
        pressed = self.control.press_button(user_id, message["message_id"], chat_id=chat, data=data)
        query_id = pressed["callback_query_id"]

        def answered() -> dict[str, Any] | None:
            for item in self.control.callback_answers():
                if item["callback_query_id"] == query_id and item["answer"] is not None:
                    return dict(item["answer"])
            return None

        try:
            return self.control.wait_until(answered, timeout)
        except TimeoutError as error:
            raise AssertionError(
                f"button {data} got no answer:\n{self.bot.log()[-3000:]}"
            ) from error


def task_button(message: Message, number: int) -> str:
    """The callback data of the task button for task `number` (labels read "N. …", or
    "CODE/N. …" when the tasks come from several plans)."""
    found = [
        data for text, data in buttons(message)
        if text.split(". ", 1)[0].rpartition("/")[2] == str(number)
    ]  # fmt: skip
    assert len(found) == 1, f"no single button for task {number}: {buttons(message)}"
    return found[0]


async def _open_rows(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            stmt = select(func.count()).where(OutboxMessage.state.in_(OPEN_STATES))
            return int(await connection.scalar(stmt) or 0)
    finally:
        await engine.dispose()


def buttons(message: Message) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [
        (button["text"], button.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]
