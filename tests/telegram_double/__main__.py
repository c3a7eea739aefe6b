"""Run the double standalone: ``python -m tests.telegram_double --port 8081 --token T``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .limits import FloodConfig
from .server import DEFAULT_TOKEN, TelegramDouble


async def _serve(args: argparse.Namespace) -> None:
    flood = FloodConfig(
        enabled=args.flood_limits,
        global_per_second=args.global_per_second,
        private_per_second=args.private_per_second,
        private_burst=args.private_burst,
        group_per_minute=args.group_per_minute,
    )
    double = TelegramDouble(host=args.host, port=args.port, token=args.token, flood=flood)
    async with double:
        print(f"Telegram double on {double.url}  (base_url {double.base_url})", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.telegram_double")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--flood-limits", action="store_true", help="enforce flood limits")
    parser.add_argument("--global-per-second", type=int, default=30)
    parser.add_argument("--private-per-second", type=float, default=1.0)
    parser.add_argument("--private-burst", type=int, default=3)
    parser.add_argument("--group-per-minute", type=int, default=20)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
