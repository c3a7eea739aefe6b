"""README's Settings table and `.env.example` cannot drift from the Settings class: both are
generated (`make settings-docs`) and this test fails until they are regenerated."""

from __future__ import annotations

import pytest
from pydantic import AliasChoices, Field

from config import Settings
from ledgerbot import settings_docs
from ledgerbot.settings_docs import ENV_EXAMPLE, README, TODO, env_names


def test_readme_and_env_example_are_up_to_date() -> None:
    readme = README.read_text(encoding="utf-8")
    assert README.read_text(encoding="utf-8") == settings_docs.render_readme(readme), (
        "README's Settings table is stale: run `make settings-docs`"
    )
    assert ENV_EXAMPLE.read_text(encoding="utf-8") == settings_docs.render_env_example(readme), (
        ".env.example is stale: run `make settings-docs`"
    )


def test_every_setting_has_a_row_and_a_meaning() -> None:
    readme = README.read_text(encoding="utf-8")
    documented = settings_docs.meanings(readme)
    for name, field in Settings.model_fields.items():
        env = env_names(name, field)[0]
        assert env in documented, f"{env} has no row in README's Settings table"
        assert documented[env] not in ("", TODO), f"{env} needs its meaning in README"
    assert len(documented) == len(Settings.model_fields)


def test_the_defaults_shown_are_the_real_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value `.env.example` shows, put in the environment, changes nothing."""
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        assignment = line.removeprefix("# ")
        if assignment.startswith("LEDGERBOT_") and "=" in assignment:
            key, value = assignment.split("=", 1)
            if value:
                monkeypatch.setenv(key, value)
    from_env = Settings(_env_file=None)  # type: ignore[call-arg]
    defaults = Settings.model_construct()
    for name in Settings.model_fields:
        assert getattr(from_env, name) == getattr(defaults, name), name


def test_aliases_name_every_variable() -> None:
    field = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("ledgerbot_web_listen", "ledgerbot_webhook_listen"),
    )
    assert env_names("web_listen", field) == ["LEDGERBOT_WEB_LISTEN", "LEDGERBOT_WEBHOOK_LISTEN"]
    assert env_names("log_level", Field(default="INFO")) == ["LEDGERBOT_LOG_LEVEL"]
