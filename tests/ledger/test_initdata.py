"""Telegram's init data check: genuine data passes; forged, edited, other-bot, repeated-field
and expired data is refused. The reference signature is computed here by hand, step by step
as Telegram's documentation describes it, independently of the module under test."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from ledger.initdata import InitDataRefused, sign, validate

TOKEN = "123456:ABC-test"
NOW = datetime(2023, 6, 5, 2, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
USER = '{"id":1001,"first_name":"张三","language_code":"zh"}'


def by_hand(auth_date: int, token: str = TOKEN) -> str:
    check = f"auth_date={auth_date}\nquery_id=AAQ\nuser={USER}"
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return f"query_id=AAQ&user={quote(USER)}&auth_date={auth_date}&hash={digest}"


def test_genuine_init_data_names_the_user() -> None:
    user = validate(by_hand(int(NOW.timestamp()) - 60), TOKEN, now=NOW, max_age=DAY)
    assert (user.user_id, user.first_name, user.language_code) == (1001, "张三", "zh")
    assert user.auth_date == NOW - timedelta(seconds=60)


def test_sign_agrees_with_the_documented_recipe() -> None:
    fields = {"auth_date": "1685930400", "query_id": "AAQ", "user": USER}
    assert sign(fields, TOKEN).rpartition("hash=")[2] == by_hand(1685930400).rpartition("=")[2]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "no init data"),
        (by_hand(int(NOW.timestamp()), token="654321:other-bot"), "bad signature"),
        (by_hand(int(NOW.timestamp())).replace("1001", "1002"), "bad signature"),
        (by_hand(int(NOW.timestamp())).replace("hash=", "hash=00"), "bad signature"),
        (by_hand(int(NOW.timestamp())) + "&query_id=AAQ", "a field is repeated"),
        (by_hand(int((NOW - DAY).timestamp()) - 1), "expired"),
        (sign({"auth_date": "1685930400", "query_id": "x"}, TOKEN), "no user or auth_date"),
        ("x" * 9000, "no init data"),
    ],
    ids=["empty", "other-bot", "edited", "forged-hash", "repeated", "expired", "no-user", "huge"],
)
def test_refused(raw: str, why: str) -> None:
    with pytest.raises(InitDataRefused, match=why):
        validate(raw, TOKEN, now=NOW, max_age=DAY)


def test_exactly_max_age_is_still_accepted() -> None:
    assert validate(by_hand(int((NOW - DAY).timestamp())), TOKEN, now=NOW, max_age=DAY)
