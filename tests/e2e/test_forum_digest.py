"""In a forum supergroup, /subscribe sent inside a topic sends the digest to that topic."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Harness
from tests.e2e.seed import seed
from tests.e2e.test_prompt_replies import wait_for

pytestmark = pytest.mark.e2e

TOPIC = 7


def test_digest_goes_to_the_topic_it_was_subscribed_from(harness: Harness) -> None:
    seed(harness.db_url)
    harness.start(LEDGERBOT_FAKE_NOW="2023-04-02T10:00:00+08:00")  # a Sunday: nothing fires
    admin = harness.admin_ids[0]
    harness.control.create_user("管理员", user_id=admin)
    forum = harness.control.create_group(
        "同城化工作群", members=[admin], kind="supergroup", is_forum=True
    )["id"]
    harness.control.send_message(admin, "/subscribe", chat_id=forum, message_thread_id=TOPIC)
    ok = wait_for(harness, forum, "订阅")
    assert ok["message_thread_id"] == TOPIC  # the answer stays in the topic too

    fired = harness.cli("fire", "digests", "--period", "2023-04-03")
    assert "2 new message(s)" in fired.stdout  # the digest and its chart
    digest = wait_for(harness, forum, "每周台账简报 2023-03")
    assert digest["message_thread_id"] == TOPIC
    harness.wait_drained()
    chart = [m for m in harness.bot_messages(forum) if "photo" in m]
    assert [m["message_thread_id"] for m in chart] == [TOPIC]

    # Subscribing again from the general topic moves the digest out of the topic.
    [again] = harness.say(admin, "/subscribe", chat_id=forum)
    assert "订阅" in again["text"] and "message_thread_id" not in again
    fired = harness.cli("fire", "digests", "--period", "2023-04-10")
    assert "2 new message(s)" in fired.stdout
    harness.wait_drained()
    latest = harness.bot_messages(forum)[-2:]
    assert all("message_thread_id" not in m for m in latest)
