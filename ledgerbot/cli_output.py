"""Writing an export to a file the operator named: never over a file by surprise, never
through a symlink, never half-written.

The target is checked before the export is built (so a mistake costs nothing), then the data
goes to a temporary file in the same folder and is moved into place in one step: a hard link
when the target must not exist (it fails if the name was taken meanwhile), a rename with
``--force``. Neither follows a symlink at the target's name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import typer

from ledgerbot.cli_base import fail


def check_target(path: Path, *, force: bool) -> None:
    """Refuse (one line, exit 2) a target that is a symlink, a folder, in a missing folder, or
    an existing file without ``force``."""
    if path.is_symlink():
        raise fail(f"{path} is a symbolic link: refusing to write through it")
    if path.is_dir():
        raise fail(f"{path} is a directory: give a file name")
    if not path.parent.is_dir():
        raise fail(f"folder {path.parent} does not exist")
    if path.exists() and not force:
        raise fail(f"{path} exists: add --force to replace it")


def write_output(path: Path, data: bytes | str, *, force: bool) -> None:
    """Write ``data`` to ``path`` atomically (CSV gets a BOM, for Excel)."""
    if isinstance(data, str):
        data = data.encode("utf-8-sig" if path.suffix == ".csv" else "utf-8")
    check_target(path, force=force)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise fail(f"cannot write in {path.parent}: {error.strerror}") from error
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        _move(temporary, path, force=force)
    except OSError as error:
        raise fail(f"cannot write {path}: {error.strerror}") from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    typer.echo(f"wrote {path} ({len(data):,} bytes)")


def _move(temporary: str, path: Path, *, force: bool) -> None:
    if force:
        os.replace(temporary, path)  # replaces a symlink itself, never what it points to
        return
    try:
        os.link(temporary, path, follow_symlinks=False)
    except FileExistsError as exists:
        raise fail(f"{path} exists: add --force to replace it") from exists
