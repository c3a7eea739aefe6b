"""Faults, a month of restarts, two replicas and concurrent SQLite writers (small sizes; the
full campaigns are `bench/bench_campaigns.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.campaigns.concurrency import replicas_campaign, writers_campaign
from tests.campaigns.schedule import faults_campaign, month_campaign
from tests.e2e.harness import Harness

pytestmark = pytest.mark.e2e


def test_faults_on_ten_percent_of_sends(harness: Harness) -> None:
    report = faults_campaign(harness, units=60)
    assert report.lost == {}, report
    assert report.unexcused == {}, report  # copies only after an applied-but-unanswered send
    assert report.expected == 58 + 2 + 2 and report.faults_fired >= 3, report
    assert report.failed_rows == 2, report  # the blocked contacts' prompts


def test_restart_across_every_fire_time_of_a_month(harness: Harness) -> None:
    report = month_campaign(harness, units=5)
    assert report.kills_mid_work == 3, report.kills
    # 5 prompts, 10 reminders (04-04, 04-07), 1 escalation to staff (04-10) and the 5 overdue
    # units' own 逾期通报 (one contact each, no principals), 4 Monday digests x 2
    assert report.expected == 5 + 10 + 1 + 5 + 8, report
    assert report.lost == {}, report
    assert report.unexcused == {}, report
    assert report.not_sent == 0, report


@pytest.mark.parametrize("db_kind", ["postgres"])
def test_two_webhook_replicas_on_postgres(harness: Harness, tmp_path: Path) -> None:
    contacts, lost, doubled = replicas_campaign(harness, 200, tmp_path / "replica2")
    assert (contacts, lost, doubled) == (200, 0, 0)


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_sqlite_concurrent_writers_never_see_a_locked_database(harness: Harness) -> None:
    report = writers_campaign(harness, senders=10, reports=150, cli_loops=3)
    assert report.cli_failures == [], report
    assert report.locked == 0, report
    assert report.entries == report.reports_sent, report
