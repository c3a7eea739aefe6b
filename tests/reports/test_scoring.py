"""The scorecard formula (ledger.scoring): weights, rates, renormalisation, ranking."""

from __future__ import annotations

import pytest

from ledger.scoring import Score, Tally, Weights, ranked, score
from ledger.vocab import MilestoneOutcome


def tally(owed: int, reported: int, on_time: int, approved: int, *outcomes: str | None) -> Tally:
    t = Tally(owed=owed, reported=reported, on_time=on_time, approved=approved)
    for outcome in outcomes:
        t.add_milestone(MilestoneOutcome(outcome) if outcome else None)
    return t


def test_defaults_and_parsing() -> None:
    assert Weights() == Weights.parse("")
    w = Weights.parse("on_time=1; milestones=0 ,partly=1")
    assert (w.on_time, w.completeness, w.milestones, w.partly) == (1, 0.3, 0, 1)
    assert Weights.parse(Weights().describe()) == Weights()


@pytest.mark.parametrize(
    "text", ["speed=1", "on_time", "on_time=fast", "on_time=-1", "partly=2", "on_time=0,"
             "completeness=0,approval=0,milestones=0"]
)  # fmt: skip
def test_bad_weights_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Weights.parse(text)


def test_the_documented_formula() -> None:
    t = tally(10, 8, 6, 4, "met", "partly", "not_met", None)
    s = score(t, Weights())
    assert (s.on_time_rate, s.completeness, s.approval_rate) == (0.6, 0.8, 0.5)
    assert s.milestone_rate == pytest.approx(1.5 / 4)
    # 100 × (0.4×0.6 + 0.3×0.8 + 0.1×0.5 + 0.2×0.375) / 1.0
    assert s.total == 60.5
    assert (t.late, t.missing, t.milestones_due) == (2, 2, 4)


def test_rates_without_a_denominator_drop_out() -> None:
    nothing_reported = score(tally(2, 0, 0, 0), Weights())
    assert nothing_reported.approval_rate is None and nothing_reported.total == 0.0
    only_milestones = score(tally(0, 0, 0, 0, "met", "partly"), Weights())
    assert only_milestones.total == 75.0  # (1 + 0.5) / 2, the only rate counted
    assert score(Tally(), Weights()).total is None


def test_add_report_counts() -> None:
    t = Tally()
    t.add_report(reported=True, late=False, approved=True)
    t.add_report(reported=True, late=True, approved=False)
    t.add_report(reported=False, late=False, approved=False)
    assert (t.owed, t.reported, t.on_time, t.approved, t.late, t.missing) == (3, 2, 1, 1, 1, 1)


def test_ranking_shares_ranks_and_puts_unscored_last() -> None:
    def s(total: float | None) -> Score:
        return Score(None, None, None, None, total)

    rows = ranked([("乙", s(80)), ("甲", s(80)), ("丙", s(None)), ("丁", s(95))])
    assert [(rank, name) for rank, name, _ in rows] == [(1, "丁"), (2, "乙"), (2, "甲"), (4, "丙")]


def test_weights_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from config import Settings

    assert Settings(_env_file=None).weights() == Weights()  # type: ignore[call-arg]
    monkeypatch.setenv("LEDGERBOT_SCORE_WEIGHTS", "on_time=1,approval=0")
    assert Settings(_env_file=None).weights().on_time == 1  # type: ignore[call-arg]
    monkeypatch.setenv("LEDGERBOT_SCORE_WEIGHTS", "speed=1")
    with pytest.raises(ValidationError, match="bad score weight"):
        Settings(_env_file=None)  # type: ignore[call-arg]
