"""Telegram channel throughput against the fake Bot API server (prints figures, asserts nothing).

Also a helper for delivery benchmarks: `telegram_on_fake()` gives a running fake server with
Telegram's limits and a channel talking to it.

    .venv/bin/python bench/bench_deliver_helpers.py [--messages 1000] [--paced 250]

Figures: raw `send` throughput per adapter with the fake's limits off (what the channel costs),
then a paced run at 25 messages a second to distinct chats with the limits on (429s seen).
"""
from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.channels.base import Outgoing, RetryAfter  # noqa: E402
from bot.channels.telegram import TelegramBase, TelegramChannel  # noqa: E402
from bot.channels.telegram_ptb import PTBTelegramChannel  # noqa: E402
from tests.fakes.fake_telegram import FakeTelegram, Limits  # noqa: E402

ADAPTERS = {"aiogram": TelegramChannel, "ptb": PTBTelegramChannel}


@asynccontextmanager
async def telegram_on_fake(framework: str = "aiogram", limits: Limits | None = Limits(),
                           ) -> AsyncIterator[tuple[FakeTelegram, TelegramBase]]:
    """A fake Telegram server (limits on by default) and a channel of `framework` using it."""
    async with FakeTelegram(limits=limits) as fake:
        channel = ADAPTERS[framework](fake.token, fake.base_url, poll_timeout=1)
        try:
            yield fake, channel
        finally:
            await channel.stop()


async def raw_throughput(framework: str, messages: int, concurrency: int = 20) -> float:
    async with telegram_on_fake(framework, limits=None) as (fake, channel):
        queue = iter(range(messages))

        async def worker() -> None:
            for i in queue:
                await channel.send(str(10_000 + i), Outgoing(f"Nhắc việc #{i}: báo cáo tiến độ"))

        await channel.send("1", Outgoing("warm-up"))
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        if len(fake.sent) != messages + 1:
            raise SystemExit(f"{framework}: {len(fake.sent) - 1} of {messages} arrived")
    return messages / elapsed


async def paced(framework: str, messages: int, per_second: float = 25.0) -> tuple[float, int, int]:
    """Send at `per_second` to distinct chats, limits on: (rate achieved, 429s, sent)."""
    async with telegram_on_fake(framework) as (fake, channel):
        start = time.perf_counter()
        tasks = []
        for i in range(messages):
            delay = start + i / per_second - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(channel.send(str(20_000 + i), Outgoing(f"#{i}"))))
        results = await asyncio.gather(*tasks, return_exceptions=True)
        elapsed = time.perf_counter() - start
        limited = sum(isinstance(r, RetryAfter) for r in results)
        return len(fake.sent) / elapsed, limited, len(fake.sent)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--paced", type=int, default=250)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')} {platform.node()} {platform.machine()} "
          f"Python {platform.python_version()}")
    for framework in ADAPTERS:
        rate = await raw_throughput(framework, args.messages)
        print(f"{framework:8s} raw send, limits off : {args.messages} messages, {rate:7.0f} msg/s")
    for framework in ADAPTERS:
        rate, limited, sent = await paced(framework, args.paced)
        print(f"{framework:8s} paced 25/s, limits on: {sent} sent, {rate:5.1f} msg/s, "
              f"{limited} x 429")


if __name__ == "__main__":
    asyncio.run(main())
