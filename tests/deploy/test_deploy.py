"""The deployment files, checked without Docker: docker-compose.yml against the compose-spec
JSON schema, the Dockerfile's instructions, requirements.lock against pyproject.toml, and the
health-check commands run for real against a local HTTP server."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from ruamel.yaml import YAML

from config import Settings
from ledgerbot.settings_docs import env_names

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    return loaded


def compose_schema() -> dict[str, Any]:
    """The compose-spec schema as check-jsonschema vendors it (Apache-2.0, compose-spec)."""
    vendor = files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads(vendor.joinpath("compose-spec.json").read_text())
    return schema


def test_the_compose_file_follows_the_compose_spec() -> None:
    document = compose()
    jsonschema.validate(document, compose_schema(), cls=jsonschema.Draft202012Validator)
    broken = {**document, "services": {"bot": {"image": "x", "restart": ["always"]}}}
    with pytest.raises(jsonschema.ValidationError):  # the schema really is strict
        jsonschema.validate(broken, compose_schema(), cls=jsonschema.Draft202012Validator)


def test_postgresql_with_a_volume_a_one_shot_upgrade_and_a_healthy_bot() -> None:
    services = compose()["services"]
    db, migrate, bot = services["db"], services["migrate"], services["bot"]
    assert db["image"].startswith("postgres:")
    volume = db["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data" and volume[0] in compose()["volumes"]
    assert migrate["command"] == ["ledgerbot", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert bot["command"] == ["ledgerbot", "run"]
    assert bot["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert bot["depends_on"]["db"] == {"condition": "service_healthy"}
    for service in (migrate, bot):
        assert service["env_file"] == ".env"
        url = service["environment"]["LEDGERBOT_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://ledgerbot:") and "@db:5432/ledgerbot" in url
        assert service["environment"]["LEDGERBOT_WEB_LISTEN"] == "0.0.0.0"
    assert "/healthz" in " ".join(bot["healthcheck"]["test"])


def test_compose_names_only_real_settings() -> None:
    known = {env_names(n, f)[0] for n, f in Settings.model_fields.items()} | {
        "LEDGERBOT_WEB_LISTEN",  # the web server's settings (issue 11), and its port
        "LEDGERBOT_WEB_PORT",
    }
    for service in compose()["services"].values():
        for name in service.get("environment", {}):
            if name.startswith("LEDGERBOT_"):
                assert name in known, f"docker-compose.yml sets unknown setting {name}"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            found.append((instruction.upper(), arguments.strip()))
    return found


def test_the_image_builds_from_the_lock_and_runs_as_non_root() -> None:
    steps = dockerfile()
    kinds = [kind for kind, _ in steps]
    base = steps[0]
    assert base[0] == "FROM" and re.fullmatch(r"python:3\.\d+-slim", base[1])
    lock_python = re.search(r"Python (\d+\.\d+)", (ROOT / "requirements.lock").read_text())
    assert lock_python and base[1] == f"python:{lock_python.group(1)}-slim"
    copy_lock = steps.index(("COPY", "requirements.lock ./"))
    install = steps.index(("RUN", "pip install --no-deps -r requirements.lock"))
    assert copy_lock < install
    # every package setuptools installs is copied into the image
    packages = {
        p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = {args.split()[0] for kind, args in steps if kind == "COPY"}
    assert packages <= copied, f"Dockerfile does not copy {packages - copied}"
    user = [args for kind, args in steps if kind == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert kinds.index("USER") > max(i for i, kind in enumerate(kinds) if kind == "RUN")
    assert ("EXPOSE", "8080") in steps
    assert kinds[-1] == "CMD" and "ledgerbot run" in steps[-1][1]


def test_the_lock_pins_every_runtime_dependency() -> None:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version and re.fullmatch(r"[\w.+!-]+", version), f"not an exact pin: {line}"
            pins[canonicalize_name(name)] = version
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, pyproject wants {requirement.specifier}"
        )
    fresh = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lock.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    closed = {canonicalize_name(x.split("==")[0]) for x in fresh.splitlines() if "==" in x}
    assert closed == set(pins), "requirements.lock lacks or has extra packages: run `make lock`"


def health_commands() -> Iterator[tuple[str, list[str]]]:
    healthcheck = next(args for kind, args in dockerfile() if kind == "HEALTHCHECK")
    command = json.loads(healthcheck.split(" CMD ", 1)[1])
    yield "Dockerfile", command
    yield "docker-compose.yml", compose()["services"]["bot"]["healthcheck"]["test"][1:]


@pytest.mark.parametrize("status", [200, 503])
async def test_the_health_checks_follow_healthz(status: int) -> None:
    """The checks need only Python (slim images have no curl) and fail on a 503."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok" if status == 200 else "down"}, status=status)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    async with TestServer(app, host="127.0.0.1") as server:
        for source, command in health_commands():
            assert command[0] == "python" and "urllib.request" in command[-1], source
            assert not any(tool in shlex.join(command) for tool in ("curl", "wget")), source
            # the image's port comes from LEDGERBOT_WEB_PORT; compose names the container's 8080
            code = command[-1].replace(":8080/", f":{server.port}/")
            env = {**os.environ, "LEDGERBOT_WEB_PORT": str(server.port)}
            process = await asyncio.create_subprocess_exec(
                sys.executable, *command[1:-1], code, env=env, stderr=asyncio.subprocess.PIPE
            )
            _, stderr = await process.communicate()
            assert (process.returncode == 0) == (status == 200), (source, stderr)
