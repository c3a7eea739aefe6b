"""Pacing rules on a fake clock: plain floats, no sleeping."""

from __future__ import annotations

import itertools

import pytest

from scheduler.pacing import Limits, Pacer, SlidingWindow, Spacing, backoff

PRIVATE, OTHER, GROUP = 1001, 1002, -5001


def drive(pacer: Pacer, chats: list[int], until: float) -> list[tuple[float, int]]:
    """Send round-robin as fast as the pacer allows; returns (time, chat) per send."""
    now, sent, turn = 0.0, [], 0
    while now < until:
        chat = min(chats[turn:] + chats[:turn], key=lambda c: pacer.ready_at(c, now))
        now = pacer.ready_at(chat, now)
        if now >= until:
            break
        pacer.take(chat, now)
        sent.append((now, chat))
        turn = (chats.index(chat) + 1) % len(chats)
    return sent


def max_in_window(stamps: list[float], period: float) -> int:
    return max(sum(1 for t in stamps if s <= t < s + period) for s in stamps)


def test_spacing_is_even() -> None:
    spacing = Spacing(0.5)
    spacing.take(10.0)
    assert spacing.ready_at() == 10.5
    spacing.take(12.0)  # after an idle spell there is no burst credit
    assert spacing.ready_at() == 12.5


def test_sliding_window_waits_for_the_oldest_to_leave() -> None:
    window = SlidingWindow(3, 60.0)
    for at in (0.0, 1.0, 2.0):
        window.take(at)
    assert window.ready_at(5.0) == 60.0
    assert window.ready_at(60.5) == 60.5


@pytest.mark.parametrize(("catch_up", "most"), [(0.0, 28), (0.5, 29)])
def test_global_rate_never_exceeds_the_ceiling_in_any_second(catch_up: float, most: int) -> None:
    pacer = Pacer(Limits(global_per_second=28, global_catch_up=catch_up))
    sent = drive(pacer, list(range(1, 200)), until=5.0)
    assert max_in_window([t for t, _ in sent], 1.0 - 1e-9) == most  # float drift aside
    assert len(sent) == pytest.approx(5 * 28, abs=2)


def test_late_sends_are_made_up_within_the_catch_up() -> None:
    spacing = Spacing(0.1, catch_up=0.05)
    spacing.take(0.0)
    spacing.take(0.2)  # 150 ms late: only 50 ms can be made up
    assert spacing.ready_at() == pytest.approx(0.25)
    spacing.take(0.27)  # 20 ms late: the next slot stays on the grid
    assert spacing.ready_at() == pytest.approx(0.35)


def test_private_chat_gets_at_most_one_per_second() -> None:
    pacer = Pacer()
    stamps = [t for t, _ in drive(pacer, [PRIVATE], until=10.0)]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(stamps))
    assert len(stamps) == 10


def test_group_gets_at_most_its_per_minute_budget() -> None:
    limits = Limits(group_per_minute=20, group_slack=1.0)
    stamps = [t for t, _ in drive(Pacer(limits), [GROUP], until=180.0)]
    assert max_in_window(stamps, 60.0) == 20
    assert max_in_window(stamps, 61.0) == 20  # the slack covers late server stamps
    assert stamps[19] == pytest.approx(19.0)  # one per second until the budget is spent
    assert stamps[20] == pytest.approx(61.0)


def test_slow_chat_does_not_hold_up_the_others() -> None:
    pacer = Pacer(Limits(group_per_minute=2, group_slack=0.0))
    for at in (0.0, 1.0):
        pacer.take(GROUP, at)
    assert pacer.ready_at(GROUP, 2.0) == 60.0
    assert pacer.ready_at(PRIVATE, 2.0) == 2.0


def test_retry_after_pauses_one_chat() -> None:
    pacer = Pacer()
    assert pacer.retry_after(PRIVATE, 5, now=10.0) is False
    assert pacer.ready_at(PRIVATE, 10.0) == 15.0
    assert pacer.ready_at(OTHER, 10.0) == 10.0


def test_retry_after_from_several_chats_pauses_everything() -> None:
    pacer = Pacer()
    pacer.retry_after(PRIVATE, 5, now=10.0)
    assert pacer.retry_after(OTHER, 7, now=10.5) is True
    assert pacer.ready_at(GROUP, 11.0) == 17.5


def test_retry_after_far_apart_stays_local() -> None:
    pacer = Pacer()
    pacer.retry_after(PRIVATE, 1, now=10.0)
    assert pacer.retry_after(OTHER, 1, now=12.0) is False


def test_forget_drops_a_migrated_chat() -> None:
    pacer = Pacer(Limits(group_per_minute=1))
    pacer.take(GROUP, 0.0)
    pacer.forget(GROUP)
    assert pacer.chat_ready_at(GROUP, 0.5) == 0.5


@pytest.mark.parametrize(
    ("attempt", "jitter", "expected"),
    [(1, 0.0, 0.5), (1, 0.999999, 1.0), (3, 0.0, 2.0), (4, 1.0, 8.0), (30, 0.0, 30.0)],
)
def test_backoff_doubles_with_jitter_and_cap(attempt: int, jitter: float, expected: float) -> None:
    assert backoff(attempt, base=1.0, cap=60.0, jitter=jitter) == pytest.approx(expected, abs=1e-5)


def test_the_ceiling_counts_stamps_taken_as_requests_leave() -> None:
    pacer = Pacer(Limits(wire_limit=3, wire_margin=0.5))
    for at in (0.0, 0.1, 0.2):
        assert pacer.wire_ready_at(at) == at
        pacer.wire_take(at)
    assert pacer.wire_ready_at(0.3) == 1.5  # the first leaves the 1.5 s window then
    pacer.wire_take(1.5)
    assert pacer.wire_ready_at(1.5) == pytest.approx(1.6)  # then the second: 0.1 + 1.5


def test_a_request_held_up_on_its_way_cannot_squeeze_a_second() -> None:
    """Paced at 29.5/s, send 0 is scheduled at 0 but leaves 30 ms late while the others leave
    on time: the server would see sends 0..30 (31) between 0.030 and 1.017 s. The ceiling on
    leaving stamps holds send 30 until send 0 is 1.02 s old (0.030 + 1.02 = 1.050 s)."""
    pacer = Pacer(Limits(global_per_second=29.5, global_catch_up=0.0))
    interval = 1 / 29.5
    for n in range(30):
        scheduled = n * interval
        assert pacer.ready_at(PRIVATE + n, scheduled) == pytest.approx(scheduled)
        pacer.take(PRIVATE + n, scheduled)
        leaves = 0.030 if n == 0 else scheduled
        assert pacer.wire_ready_at(leaves) == leaves
        pacer.wire_take(leaves)
    assert pacer.ready_at(PRIVATE + 30, 30 * interval) == pytest.approx(30 * interval)  # 1.017
    assert pacer.wire_ready_at(30 * interval) == pytest.approx(1.050)


def test_a_new_lock_holder_waits_out_the_last_holders_second() -> None:
    pacer = Pacer(Limits(wire_margin=0.02))
    pacer.took_over(10.0)
    assert pacer.global_ready_at(10.0) == pytest.approx(11.02)
    assert pacer.ready_at(PRIVATE, 10.5) == pytest.approx(11.02)
    pacer.took_over(None)  # held from the start, no one to wait for: nothing changes
    assert pacer.global_ready_at(11.02) == pytest.approx(11.02)
    assert Pacer().global_ready_at(10.0) == 10.0
