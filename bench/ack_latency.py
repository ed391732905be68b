"""Target 1 — ack latency: signed slash command over HTTP → 200, p50/p99; p99 < 50 ms.

The bot runs as `authcheck serve --no-worker` with a separate `authcheck worker`, Redis and the
fake Slack, each its own process; this process only sends. Requests go out open-loop at
`--rate` per second (an incident is many people, not one client waiting for each answer), each
from its own channel so the bot's parent messages are not held back by channel pacing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_P99_MS = 50.0


async def load(bot: common.Proc, count: int, rate: float, text: str) -> list[common.Sent]:
    async with common.client_session(limit=200) as session:
        # warm-up: the first request pays for Bolt's lazy set-up and the connection
        for i in range(5):
            await common.slash(session, bot, text, f"UWARM{i}", f"CWARM{i}", -1)
        tasks: list[asyncio.Task[common.Sent]] = []
        start = time.monotonic()
        for i in range(count):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            user, channel = f"U{i % 100:05d}", f"C{i:05d}"
            tasks.append(asyncio.create_task(common.slash(session, bot, text, user, channel, i)))
        return list(await asyncio.gather(*tasks))


def run(count: int = 1000, rate: float = 100.0, profile: bool = False) -> int:
    with common.stack() as s:
        s.start_slack()
        s.start_worker(profile=profile, AUTHCHECK_WORKER_CONCURRENCY="16")
        bot = s.start_bot(profile=profile, AUTHCHECK_USER_RATE="100000")
        sent = asyncio.run(load(bot, count, rate, "explain 401"))
        acks = [x.ack_ms for x in sent if x.status == 200]
        failed = sum(1 for x in sent if x.status != 200)
        figures = {
            "requests": count,
            "offered rate (req/s)": rate,
            "non-200": failed,
            "ack p50 (ms)": common.percentile(acks, 50),
            "ack p90 (ms)": common.percentile(acks, 90),
            "ack p99 (ms)": common.percentile(acks, 99),
            "ack max (ms)": max(acks) if acks else float("nan"),
            "bot RSS after (MiB)": common.rss_mb(bot.pid)[0],
        }
        p99 = common.percentile(acks, 99)
        return common.finish(
            "ack latency",
            figures,
            {"every request answered 200": failed == 0, f"p99 < {TARGET_P99_MS:g} ms": p99 < 50},
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument(
        "--profile", action="store_true", help="run bot and worker under pyinstrument"
    )
    args = parser.parse_args()
    return run(args.count, args.rate, args.profile)


if __name__ == "__main__":
    raise SystemExit(main())
