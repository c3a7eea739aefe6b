"""Logging set-up: level and format from the settings, and never a secret in a line.

`LEDGERBOT_LOG_FORMAT=json` writes one JSON object per line with the time, level, logger,
message, the exception if any, and the fields of `services.log_context` (update id, chat, user,
unit, period, outbox row) where they apply.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import make_url

from config import Settings
from services import log_context

REDACTED = "<redacted>"
FORMATS = ("text", "json")


class RedactSecrets(logging.Filter):
    """Replace every occurrence of the given secrets in a record's rendered message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            record.msg, record.args = self.redact(message), None
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the context fields of the task that logged."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "context", None) or {})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


class _AddContext(logging.Filter):
    """Capture the log context when the record is made (the handler may run elsewhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.context = log_context.current()
        return True


class _RedactingFormatter(logging.Formatter):
    """Last line of defence: whatever the inner formatter produced is redacted again."""

    def __init__(self, inner: logging.Formatter, redactor: RedactSecrets) -> None:
        super().__init__()
        self._inner, self._redactor = inner, redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redactor.redact(self._inner.format(record))


def secrets_of(settings: Settings) -> list[str]:
    """What must never be printed: the token (and its secret half), the webhook secret and
    the database password."""
    values = [settings.telegram_token, settings.webhook_secret]
    secrets = [value.get_secret_value() for value in values if value is not None]
    if settings.telegram_token is not None:
        _, _, half = settings.telegram_token.get_secret_value().partition(":")
        secrets.append(half)
    password = make_url(settings.database_url).password
    if password:
        secrets.append(str(password))
    return sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)


def setup_logging(
    level: str = "INFO", secrets: list[str] | None = None, log_format: str = "text"
) -> None:
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {FORMATS}, not {log_format!r}")
    redactor = RedactSecrets(secrets or [])
    inner = (
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter(inner, redactor))
    handler.addFilter(_AddContext())
    handler.addFilter(redactor)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, and Telegram URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)  # one DEBUG line per cursor call
