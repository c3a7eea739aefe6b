"""SIGKILL while the 审定 request is being sent, then while the review's outcome is being sent
(issue #11): both were direct sends after the commit, so a crash lost them for good — the
entry stayed `submitted` with no buttons anywhere. Now they are outbox rows committed with the
change: the double holds the send (never applying it), the bot is SIGKILLed meanwhile, and
after the restart the message arrives and works."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from tests.e2e.harness import Harness, buttons
from tests.e2e.seed import TRANSPORT, seed
from tests.e2e.test_reporting_flows import FAKE_NOW, bind

pytestmark = pytest.mark.e2e

LEASE_PASSED = timedelta(seconds=31)  # a restart after a crash: the dead claims have expired


class Clock:
    """The rehearsal time of each (re)start: it runs on from FAKE_NOW, plus a lease per crash."""

    def __init__(self) -> None:
        self.began, self.extra = time.monotonic(), timedelta(0)

    def restart(self) -> str:
        self.extra += LEASE_PASSED
        elapsed = timedelta(seconds=time.monotonic() - self.began)
        return (datetime.fromisoformat(FAKE_NOW) + elapsed + self.extra).isoformat()


def _kill_while_held(harness: Harness, chat_id: int, act: object) -> None:
    """Hold the next send to `chat_id` at the double (never applied), do `act`, and SIGKILL
    the bot once the held send has arrived."""
    harness.control.add_fault("sendMessage", "timeout_before", chat_id=chat_id, hold=3)
    act()  # type: ignore[operator]
    deadline = time.monotonic() + 30
    while not any(r["fired"] for r in harness.control.faults()["rules"]):
        assert time.monotonic() < deadline, harness.bot.log()[-3000:]
        time.sleep(0.05)
    harness.bot.kill()
    harness.control.clear_faults()


def test_review_messages_survive_a_sigkill_mid_send(harness: Harness) -> None:
    seed(harness.db_url)
    clock = Clock()
    harness.start(LEDGERBOT_FAKE_NOW=FAKE_NOW)
    contact, principal = harness.user("王五"), harness.user("局长")
    bind(harness, contact, TRANSPORT)
    bind(harness, principal, TRANSPORT, "principal")

    report = "/report 5 序时推进 路基完成70%"
    _kill_while_held(harness, principal, lambda: harness.control.send_message(contact, report))
    assert len(harness.bot_messages(principal)) == 1  # only the welcome: the request was lost
    harness.start(LEDGERBOT_FAKE_NOW=clock.restart())
    [request] = harness.control.wait_for_messages(principal, 2)[1:]
    assert "待审定" in request["text"] and "路基完成70%" in request["text"]
    approve = buttons(request)[0][1]

    harness.wait_drained()  # the contact's confirmation (and its binding's prompt and 交办)
    contact_seen = len(harness.bot_messages(contact))
    _kill_while_held(
        harness,
        contact,
        lambda: harness.control.press_button(principal, request["message_id"], data=approve),
    )
    assert len(harness.bot_messages(contact)) == contact_seen  # the outcome was lost
    harness.start(LEDGERBOT_FAKE_NOW=clock.restart())
    outcome = harness.control.wait_for_messages(contact, contact_seen + 1)[contact_seen:]
    assert [m["text"] for m in outcome] == ["任务 5（2023-03）已审定通过。"]
    status = harness.cli_json("status", "--period", "2023-03", "--unit", TRANSPORT)
    assert status["units"][0]["submitted"] == 1  # approved, and counted, exactly once
    harness.wait_drained()
    texts = [m["text"] for m in harness.bot_messages(contact)]
    assert texts.count("任务 5（2023-03）已审定通过。") == 1
    # The press is handled at least once: when the kill lands before its inbox row is marked
    # done, the restarted bot handles it again (the review is refused as already done, nothing
    # changes) and Telegram refuses the second answer to the same query — once, not retried.
    again = [p for p in harness.tg.problems() if p.startswith("answerCallbackQuery answered 400")]
    assert len(again) <= 1, again
    if again:
        harness.expect_error("answerCallbackQuery", "query is too old", times=len(again))
