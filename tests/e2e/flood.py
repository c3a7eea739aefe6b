"""Hostile webhook traffic for the flood test and `bench/bench_web.py`: many wrong-secret
POSTs at a fixed concurrency, and huge bodies that must be refused unread."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REFUSED_UNREAD = -1  # the server closed the connection before the client finished sending


@dataclass
class FloodResult:
    statuses: Counter[int]
    seconds: float


def forged_update(update_id: int, chat_id: int) -> bytes:
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1680490800,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "攻击者"},
                "text": "/report 1 序时推进 伪造",
            },
        }
    ).encode()


async def _zeros(megabytes: int) -> AsyncIterator[bytes]:
    chunk = b"0" * (1024 * 1024)
    for _ in range(megabytes):
        yield chunk


async def flood(
    url: str,
    *,
    requests: int,
    concurrency: int,
    huge: int = 0,
    huge_mb: int = 90,
    secret: str = "wrong-secret",
    chat_id: int = 1,
) -> FloodResult:
    """`requests` POSTs of a small forged update with `secret`, `concurrency` at a time, plus
    `huge` POSTs streaming `huge_mb` MB each; returns each answer's status."""
    statuses: Counter[int] = Counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(requests):
        queue.put_nowait(n)
    connector = aiohttp.TCPConnector(limit=concurrency + huge)
    timeout = aiohttp.ClientTimeout(total=120)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def post(data: object) -> None:
            try:
                async with session.post(url, data=data, headers={SECRET_HEADER: secret}) as r:
                    await r.read()
                    statuses[r.status] += 1
            except (aiohttp.ClientError, ConnectionError):
                statuses[REFUSED_UNREAD] += 1

        async def worker() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                await post(forged_update(800_000_000 + n, chat_id))

        await asyncio.gather(
            *(worker() for _ in range(concurrency)),
            *(post(_zeros(huge_mb)) for _ in range(huge)),
        )
    return FloodResult(statuses, time.monotonic() - started)


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """A process's resident set (VmRSS) or its peak (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")
