"""SIGKILL in the middle of the fan-out and of inbound bursts (small; the full 50-kill
campaigns are `bench/bench_campaigns.py`): every kill lands mid-work, nothing is lost, and a
duplicate is allowed only for a message a kill left of unknown outcome."""

from __future__ import annotations

import pytest

from tests.campaigns.crash import fanout_campaign, inbound_campaign
from tests.e2e.harness import Harness

pytestmark = pytest.mark.e2e


def test_sigkill_during_fan_out(harness: Harness) -> None:
    report = fanout_campaign(harness, units=80, kills=5)
    assert report.kills_mid_work == 5, report.kills
    assert (report.expected, report.delivered, report.lost) == (80, 80, 0), report
    assert report.unexcused == {}, report


def test_sigkill_during_inbound_bursts(harness: Harness) -> None:
    report = inbound_campaign(harness, senders=10, messages=200, kills=5)
    assert report.kills_mid_work == 5, report.kills
    assert (report.expected, report.delivered, report.lost) == (200, 200, 0), report
    assert report.doubled == 0, report
