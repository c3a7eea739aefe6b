"""The one Settings class: every knob has an env name (LEDGERBOT_…) and a documented default."""

from __future__ import annotations

import re
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ledger.scoring import Weights
from ledger.timetable import CalendarRules

DEFAULT_SQLITE_PATH = Path("data") / "ledgerbot.db"
TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_PLACEHOLDER_TOKENS = {"changeme", "change-me", "your-token", "token", "xxx", "123:abc"}


def _int_list(value: object) -> object:
    """Accept "1, 2,3" from the environment as well as a real list."""
    if isinstance(value, str):
        return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """Runtime configuration, read from the environment and an optional `.env` file."""

    model_config = SettingsConfigDict(
        env_prefix="LEDGERBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # Telegram
    telegram_token: SecretStr | None = None
    telegram_base_url: str = TELEGRAM_BASE_URL
    telegram_base_file_url: str | None = None
    bot_username: str | None = None  # for invite links made offline; else asked with getMe
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    polling_timeout: int = Field(default=10, ge=0, le=50)

    # The one web server (webhook, /healthz): LEDGERBOT_WEBHOOK_LISTEN/_PORT are old names.
    web_listen: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("LEDGERBOT_WEB_LISTEN", "LEDGERBOT_WEBHOOK_LISTEN"),
    )
    web_port: int = Field(
        default=8080,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("LEDGERBOT_WEB_PORT", "LEDGERBOT_WEBHOOK_PORT"),
    )
    # The Mini App (/app/) and the HTTP API (/api/v1/) on that server.
    public_url: str | None = None  # the HTTPS address users reach the server at
    webapp_auth_max_age_h: float = Field(default=24, gt=0)  # oldest init data accepted

    # Storage
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"

    # People and language
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Asia/Shanghai"
    locale: Literal["zh", "en"] = "zh"

    # Clock: when set, the bot's clock starts here and runs on in real time (rehearsals, e2e tests).
    fake_now: datetime | None = None

    # Calendar of the monthly ledger (月调度): all days are days of the month after the period.
    prompt_day: int = Field(default=1, ge=1, le=28)
    deadline_day: int = Field(default=7, ge=1, le=28)
    send_time: time = time(9, 0)
    reminder_workdays_before: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [2])
    remind_on_deadline_day: bool = True
    deadline_shift: Literal["next_workday", "none"] = "next_workday"
    escalation_workdays_after: int = Field(default=1, ge=1)
    yellow_workdays: int = Field(default=2, ge=0)
    milestone_check_workdays_before: int = Field(default=5, ge=1)
    digest_weekday: int = Field(default=0, ge=0, le=6)  # Monday
    # A period's obligations freeze this many working days after its escalation.
    close_workdays_after_escalation: int = Field(default=5, ge=0)
    # Supporting units' input (配合单位反馈) is due this many working days before the lead's.
    support_workdays_before: int = Field(default=2, ge=0)

    # Yearly scorecard (年考评): weights of the rates and the credit of a partly met milestone;
    # the formula is documented in ledger/scoring.py.
    score_weights: str = Weights().describe()

    # Plan import (`ledgerbot import`): ceilings no real plan reaches, so a hostile file is
    # refused in seconds and one import stays under 500 MB (ledger/importing/limits.py).
    import_max_file_mb: float = Field(default=10, gt=0)
    import_max_unpacked_mb: float = Field(default=20, gt=0)
    import_max_ratio: float = Field(default=100, gt=1)
    import_max_cells: int = Field(default=200_000, gt=0)
    import_time_budget_s: float = Field(default=120, gt=0)

    # Sending: the bot-wide pace of outbox messages, a margin under Telegram's 30/s
    send_per_second: float = Field(default=28.0, gt=0, le=30)

    # Operations (logging, backups, start-up checks)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    backup_dir: Path | None = None  # nightly SQLite backups go here; unset: none
    backup_keep: int = Field(default=14, ge=1)
    backup_time: time = time(3, 0)
    min_free_mb: int = Field(default=100, ge=0)  # less free disk: start-up and doctor refuse

    @field_validator("admin_ids", "reminder_workdays_before", mode="before")
    @classmethod
    def _split_ints(cls, value: object) -> object:
        return _int_list(value)

    @field_validator("telegram_token")
    @classmethod
    def _reject_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in _PLACEHOLDER_TOKENS:
            raise ValueError("LEDGERBOT_TELEGRAM_TOKEN is a placeholder; set the real bot token")
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case_insensitive(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("fake_now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("LEDGERBOT_FAKE_NOW needs an offset, e.g. 2023-09-01T08:59:50+08:00")
        return value

    @field_validator("score_weights")
    @classmethod
    def _weights(cls, value: str) -> str:
        Weights.parse(value)  # fail fast on a typo
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        secret = value.get_secret_value() if value is not None else ""
        if info.data.get("webhook_url") and not _WEBHOOK_SECRET.fullmatch(secret):
            raise ValueError(
                "webhook mode needs a secret of 1-256 characters A-Z a-z 0-9 _ - "
                "(Telegram sends it with every update; anything without it is refused)"
            )
        return value

    @field_validator("web_port")
    @classmethod
    def _webhook_port(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("webhook_url") and not value:
            raise ValueError("webhook mode needs the web server: 0 turns it off")
        return value

    def weights(self) -> Weights:
        return Weights.parse(self.score_weights)

    @property
    def telegram_file_url(self) -> str:
        """Where Telegram serves files (/file/bot<token>/…); a local server mirrors that
        layout under its own address."""
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        head, sep, _ = self.telegram_base_url.rstrip("/").rpartition("/bot")
        return f"{head}/file/bot" if sep else self.telegram_base_url.rstrip("/") + "/file/bot"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def calendar_rules(self) -> CalendarRules:
        """The calendar knobs as the domain's plain value object."""
        return CalendarRules(
            prompt_day=self.prompt_day,
            deadline_day=self.deadline_day,
            send_time=self.send_time,
            reminder_workdays_before=tuple(self.reminder_workdays_before),
            remind_on_deadline_day=self.remind_on_deadline_day,
            deadline_shift=self.deadline_shift,
            escalation_workdays_after=self.escalation_workdays_after,
            yellow_workdays=self.yellow_workdays,
            milestone_check_workdays_before=self.milestone_check_workdays_before,
            digest_weekday=self.digest_weekday,
            close_workdays_after_escalation=self.close_workdays_after_escalation,
            support_workdays_before=self.support_workdays_before,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests build their own `Settings(...)` instead."""
    return Settings()
