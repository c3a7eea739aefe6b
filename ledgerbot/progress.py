"""Progress lines on stderr for long CLI steps: silent for the first second, then one a second."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

Progress = Callable[[int, int], None]
QUIET_FOR = 1.0  # a step that ends within this many seconds prints nothing


@contextmanager
def progress_lines(
    label: str, *, every: float = 1.0, echo: Callable[[str], None] | None = None
) -> Iterator[Progress]:
    """Yield a `progress(done, total)` callback; a ticker prints the latest state each second.

    The step's own thread only records numbers, so a slow row never delays the printing and a
    step without counts (a database write) still shows that it is alive.
    """
    write = echo or (lambda line: typer.echo(line, err=True))
    state = {"done": 0, "total": 0}
    start = time.monotonic()
    stop = threading.Event()

    def tick() -> None:
        if stop.wait(QUIET_FOR):
            return
        while True:
            elapsed = time.monotonic() - start
            done, total = state["done"], state["total"]
            counts = f" {done:,}/{total:,} ({100 * done // total}%)" if total else ""
            write(f"{label}:{counts} {elapsed:.0f} s")
            if stop.wait(every):
                return

    def update(done: int, total: int) -> None:
        state["done"], state["total"] = done, max(total, done)

    ticker = threading.Thread(target=tick, name="progress", daemon=True)
    ticker.start()
    try:
        yield update
    finally:
        stop.set()
        ticker.join()
