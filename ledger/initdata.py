"""Telegram Mini App init data: check its signature and age, read the user (pure, no I/O).

Telegram's rule (core.telegram.org/bots/webapps, "Validating data received via the Mini App"):
remove `hash`, sort the other `key=value` pairs by key, join them with newlines; the data is
genuine when hex(HMAC-SHA256(key=HMAC-SHA256(key="WebAppData", msg=bot token), msg=that
string)) equals `hash`. Compared in constant time; `auth_date` older than `max_age` is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

MAX_LENGTH = 8192  # real init data is well under 1 KB


class InitDataRefused(Exception):
    """The init data is missing, forged, signed for another bot, or too old."""


@dataclass(frozen=True)
class WebAppUser:
    user_id: int
    first_name: str
    username: str | None
    language_code: str | None
    auth_date: datetime
    start_param: str | None


def _secret(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields))


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The init data Telegram would pass for `fields` (what a client sends; tests use it)."""
    digest = hmac.new(_secret(bot_token), _check_string(fields).encode(), hashlib.sha256)
    return urlencode({**fields, "hash": digest.hexdigest()})


def validate(raw: str, bot_token: str, *, now: datetime, max_age: timedelta) -> WebAppUser:
    """The user the init data speaks for; InitDataRefused (with why) unless it is genuine."""
    if not raw or len(raw) > MAX_LENGTH:
        raise InitDataRefused("no init data")
    pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=False)
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataRefused("a field is repeated")
    given = fields.pop("hash", "")
    expected = hmac.new(_secret(bot_token), _check_string(fields).encode(), hashlib.sha256)
    if not hmac.compare_digest(given.encode(), expected.hexdigest().encode()):
        raise InitDataRefused("bad signature")
    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError) as bad:
        raise InitDataRefused("no user or auth_date") from bad
    if now - auth_date > max_age:
        raise InitDataRefused("expired")
    return WebAppUser(
        user_id=user_id,
        first_name=str(user.get("first_name") or ""),
        username=user.get("username"),
        language_code=user.get("language_code"),
        auth_date=auth_date,
        start_param=fields.get("start_param"),
    )
