"""The button protocol: every payload round-trips, fits 64 bytes, and junk decodes to None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.vocab import EntryStatus, MilestoneOutcome
from messages import buttons

BIGGEST = buttons.MAX_ID
PAYLOADS = [
    buttons.PickTask(BIGGEST),
    buttons.LegacyTask(99_999),
    buttons.PickPlan(1),
    *(buttons.PickStatus(s) for s in EntryStatus),
    buttons.SkipStep(),
    buttons.Confirm("s"),
    buttons.Confirm("e"),
    buttons.Approve(BIGGEST),
    buttons.Return(7),
    *(buttons.AnswerMilestone(BIGGEST, o) for o in MilestoneOutcome),
    buttons.StatusPage("2023-05", 999),
    buttons.ChooseUnit("history", BIGGEST, "要点/12 2023-05"),
    buttons.ChooseUnit("status", 1, ""),
    buttons.ImportUpload(BIGGEST, "i"),
    buttons.ImportUpload(1, "c"),
    buttons.Urge(BIGGEST, "2023-03"),
    buttons.DecideExtension(BIGGEST, "y"),
    buttons.DecideExtension(1, "n"),
    buttons.DecideClosure(BIGGEST, "p", "y"),
    buttons.DecideClosure(1, "s", "n"),
    buttons.ApproveAllPending(),
    buttons.Acknowledge(BIGGEST),
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=str)
def test_round_trip_within_64_bytes(payload: buttons.Button) -> None:
    data = buttons.encode(payload)
    assert len(data.encode()) <= 64
    assert buttons.decode(data) == payload
    assert buttons.as_(data, type(payload)) == payload


def test_stored_formats_stay_readable() -> None:
    """Payloads live on in outbox rows and chats: these exact strings must keep decoding."""
    assert buttons.decode("rt:5") == buttons.LegacyTask(5)
    assert buttons.decode("ti:12") == buttons.PickTask(12)
    assert buttons.decode("rs:on_track") == buttons.PickStatus(EntryStatus.ON_TRACK)
    assert buttons.decode("rk") == buttons.SkipStep()
    assert buttons.decode("rc:s") == buttons.Confirm("s")
    assert buttons.decode("ap:3") == buttons.Approve(3)
    assert buttons.decode("mc:4:partly") == buttons.AnswerMilestone(4, MilestoneOutcome.PARTLY)
    assert buttons.decode("sp:2023-05:2") == buttons.StatusPage("2023-05", 2)
    # 督办: 催办, 延期申请, 销号, /pending, 签收
    assert buttons.decode("ug:3:2023-03") == buttons.Urge(3, "2023-03")
    assert buttons.decode("xd:4:y") == buttons.DecideExtension(4, "y")
    assert buttons.decode("cz:5:s:n") == buttons.DecideClosure(5, "s", "n")
    assert buttons.decode("pa") == buttons.ApproveAllPending()
    assert buttons.decode("ak:6") == buttons.Acknowledge(6)


@pytest.mark.parametrize(
    "data",
    [None, "", "ti", "ti:", "ti:abc", "ti:-1", "ti:2147483648", "ti:1:2", "rk:1", "rs:maybe",
     "mc:1:weird", "sp:2023/05:1", "rc:x", "zz:1", "ti:１２", "x" * 65,
     "ug:1:2023/03", "ug:1", "xd:1:maybe", "xd:-1:y", "cz:1:q:y", "cz:1:p", "cz:1:p:x",
     "pa:1", "ak:x", "ak:2147483648"],
)  # fmt: skip
def test_junk_decodes_to_nothing(data: str | None) -> None:
    assert buttons.decode(data) is None


@given(st.text(max_size=80))
def test_any_string_decodes_or_is_refused(data: str) -> None:
    found = buttons.decode(data)
    assert found is None or buttons.encode(found) == data


def test_a_payload_over_64_bytes_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        buttons.encode(buttons.StatusPage("2023-05", 10**60))


def test_patterns_match_their_prefix_only() -> None:
    import re

    both = re.compile(buttons.pattern(buttons.PickTask, buttons.LegacyTask))
    assert both.match("ti:1") and both.match("rt:1") and not both.match("tix:1")
    assert re.match(buttons.pattern(buttons.SkipStep), "rk")
