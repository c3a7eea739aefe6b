"""One rate limit per bot token, not per replica (issue #11): two `ledgerbot run` processes
on one database drain 400 outbox rows against the double with flood limits on (over 16 s at
25 a second, see `replicas._replica`; `bench/bench_campaigns.py --only drain` drains 1,000 at
the default pace). Measured by the double: no 429, never more than 30 sends in any second;
after the dispatching replica is SIGKILLed (after 120 sends) the other carries on within
30 s, and every row is delivered."""

from __future__ import annotations

import pytest

from tests.campaigns.replicas import replica_campaign
from tests.e2e.harness import Harness

pytestmark = pytest.mark.e2e


def test_two_replicas_share_one_budget_and_take_over(harness: Harness) -> None:
    report = replica_campaign(harness, rows=400, kill_after=120, pace=25)  # see `_replica`
    assert (report.rows, report.delivered) == (400, 400), report
    assert report.too_many_requests == 0, report
    assert report.peak_per_second <= 30, report
    assert report.takeover_seconds <= 30, report
    assert report.leader_lines == {"a": 1, "b": 1}, report  # one leader at a time, then b
    assert report.doubled <= report.possible_duplicates, report
