"""README's Settings table and `.env.example`, generated from the Settings class.

Names and defaults come from `config/settings.py`; the one-line meanings live in README's table
(the only thing written by hand). `python -m ledgerbot.settings_docs` (`make settings-docs`)
rewrites both files; `tests/config/test_settings_docs.py` fails when either has drifted or a
setting has no meaning yet.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import time
from enum import Enum
from pathlib import Path

from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo

from config import Settings

ROOT = Path(__file__).resolve().parent.parent
README, ENV_EXAMPLE = ROOT / "README.md", ROOT / ".env.example"
BEGIN, END = "<!-- settings-table:begin -->", "<!-- settings-table:end -->"
PREFIX = Settings.model_config.get("env_prefix", "")
TODO = "TODO: say what this setting does"
REQUIRED = {"telegram_token"}  # no default that works: left uncommented in .env.example
COMPOSE_ONLY = [
    "# docker-compose.yml only: the password of its PostgreSQL (compose reads .env too)",
    "POSTGRES_PASSWORD=",
]
_ROW = re.compile(r"^\|\s*`([A-Z0-9_]+)`")


def env_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables a field is read from (aliases first, as pydantic does)."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice).upper() for choice in alias.choices if isinstance(choice, str)]
    if isinstance(alias, str):
        return [alias.upper()]
    return [f"{PREFIX}{name}".upper()]


def env_value(value: object) -> str:
    """A default as it would be written in the environment."""
    if value is None or isinstance(value, SecretStr):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple | set):
        return ",".join(env_value(item) for item in value)
    return str(value)


def shown_default(value: object) -> str:
    text = env_value(value)
    if value is None:
        return "unset"
    return f"`{text}`" if text else "empty"


def meanings(readme: str) -> dict[str, str]:
    """Env name → meaning, from the rows of README's Settings table."""
    found = {}
    for line in _table(readme).splitlines():
        match = _ROW.match(line)
        if match:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            found[match.group(1)] = cells[-1]
    return found


def _table(readme: str) -> str:
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md needs the markers {BEGIN} and {END} around the table")
    return readme[start + len(BEGIN) : end]


def rows(readme: str) -> list[tuple[list[str], str, str, str]]:
    """(env names, default shown, default as env value, meaning) per field, in class order."""
    known = meanings(readme)
    result = []
    for name, field in Settings.model_fields.items():
        names = env_names(name, field)
        default = field.get_default(call_default_factory=True)
        meaning = next((known[n] for n in names if n in known), TODO)
        result.append((names, shown_default(default), env_value(default), meaning))
    return result


def render_table(readme: str) -> str:
    lines = ["", "| variable | default | meaning |", "|---|---|---|"]
    for names, shown, _, meaning in rows(readme):
        aliases = f" (also {', '.join(f'`{n}`' for n in names[1:])})" if names[1:] else ""
        lines.append(f"| `{names[0]}`{aliases} | {shown} | {meaning} |")
    return "\n".join(lines) + "\n"


def render_readme(readme: str) -> str:
    start = readme.index(BEGIN) + len(BEGIN)
    return readme[:start] + render_table(readme) + readme[readme.index(END) :]


def render_env_example(readme: str) -> str:
    out = [
        "# Generated from config/settings.py and README.md (Settings) by `make settings-docs`.",
        "# Copy to .env and fill in. A commented-out line shows the default.",
    ]
    for (names, _, value, meaning), field_name in zip(
        rows(readme), Settings.model_fields, strict=True
    ):
        out.append("")
        out.append(f"# {meaning.replace('`', '')}")
        prefix = "" if field_name in REQUIRED else "# "
        out.append(f"{prefix}{names[0]}={value}")
    out += ["", *COMPOSE_ONLY]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledgerbot.settings_docs")
    parser.add_argument("--check", action="store_true", help="only say whether files are stale")
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    wanted = {README: render_readme(readme), ENV_EXAMPLE: render_env_example(readme)}
    stale = [path for path, text in wanted.items() if path.read_text(encoding="utf-8") != text]
    if not args.check:
        for path in stale:
            path.write_text(wanted[path], encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'rewrote'} {path.name}")
    missing = [names[0] for names, _, _, meaning in rows(readme) if meaning == TODO]
    for name in missing:
        print(f"{name}: write its meaning in README's Settings table", file=sys.stderr)
    return 1 if missing or (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
