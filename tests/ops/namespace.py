"""Run a command with a small private tmpfs mounted (full, or read-only): a real full disk and
a real read-only file system without touching the machine's own mounts.

`unshare --map-root-user --mount` gives the command its own mount namespace (as root or, where
unprivileged user namespaces are allowed, as anyone); the tmpfs vanishes with the process.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

from tests.conftest import missing_component


def require_unshare() -> str:
    found = shutil.which("unshare")
    if found is None:
        missing_component("util-linux `unshare` is needed for the full-disk and read-only tests")
    assert found is not None
    probe = subprocess.run(
        [found, "--map-root-user", "--mount", "true"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        missing_component(f"cannot make a private mount namespace: {probe.stderr.strip()}")
    return found


def run_on_tmpfs(
    command: list[str],
    mount_at: Path,
    database: Path,
    *,
    mode: str,
    env: dict[str, str],
    timeout: float = 90,
) -> subprocess.CompletedProcess[str]:
    """Mount a 1 MB tmpfs at `mount_at`, copy `database` there, make the file system `full`
    (a filler file takes every free block) or `read-only`, then run `command`."""
    unshare = require_unshare()
    mount_at.mkdir(parents=True, exist_ok=True)
    target = mount_at / database.name
    steps = [
        f"mount -t tmpfs -o size=1m tmpfs {shlex.quote(str(mount_at))}",
        f"cp {shlex.quote(str(database))} {shlex.quote(str(target))}",
    ]
    if mode == "full":
        filler = shlex.quote(str(mount_at / "filler"))
        steps.append(f"(dd if=/dev/zero of={filler} bs=4k 2>/dev/null || true)")
    elif mode == "read-only":
        steps.append(f"mount -o remount,ro {shlex.quote(str(mount_at))}")
    else:
        raise ValueError(mode)
    steps.append("exec " + shlex.join(command))
    return subprocess.run(
        [unshare, "--map-root-user", "--mount", "sh", "-c", " && ".join(steps)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
