"""Ack latency while Redis hangs: redis-server paused with SIGSTOP (connections stay open,
nothing answers) while slash commands arrive; target: every ack under 1 s.

The bot runs as `authcheck serve --no-worker` with a separate `authcheck worker`, Redis and the
fake Slack, each its own process. Before the fix the replay check's Redis call waited for
redis-py's 10 s socket timeout before the ack; now every Redis call on the ack path is bounded
and the person is told "try again" after the ack. tests/reliability/test_redis_faults.py checks
the behaviour (acked, told to try again, never also run); this script measures the timing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from urllib.request import urlopen

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_MAX_MS = 1000.0


async def load(bot: common.Proc, count: int, rate: float) -> list[common.Sent]:
    async with common.client_session(limit=50) as session:
        tasks: list[asyncio.Task[common.Sent]] = []
        start = time.monotonic()
        for i in range(count):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            user, channel = f"UHANG{i:04d}", f"CHANG{i:04d}"
            tasks.append(
                asyncio.create_task(common.slash(session, bot, "explain 401", user, channel, i))
            )
        return list(await asyncio.gather(*tasks))


def _ready(bot: common.Proc) -> int:
    try:
        with urlopen(f"http://127.0.0.1:{bot.port}/readyz", timeout=5) as answer:
            return int(answer.status)
    except OSError as exc:
        return int(getattr(exc, "code", 0) or 0)


def run(count: int = 20, rate: float = 10.0) -> int:
    with common.stack() as s:
        s.start_slack()
        s.start_worker()
        bot = s.start_bot(AUTHCHECK_USER_RATE="100000")
        asyncio.run(load(bot, 3, 10.0))  # warm-up with Redis answering
        redis_pid = s.redis.process.pid
        os.kill(redis_pid, signal.SIGSTOP)
        try:
            sent = asyncio.run(load(bot, count, rate))
            ready_during = _ready(bot)
        finally:
            os.kill(redis_pid, signal.SIGCONT)
        ready_after = 0
        for _ in range(50):
            ready_after = _ready(bot)
            if ready_after == 200:
                break
            time.sleep(0.2)
        acks = [x.ack_ms for x in sent if x.status == 200]
        failed = sum(1 for x in sent if x.status != 200)
        worst = max(acks) if acks else float("nan")
        figures = {
            "requests during the hang": count,
            "offered rate (req/s)": rate,
            "non-200": failed,
            "ack p50 (ms)": common.percentile(acks, 50),
            "ack p99 (ms)": common.percentile(acks, 99),
            "ack max (ms)": worst,
            "/readyz during the hang": ready_during,
            "/readyz after SIGCONT": ready_after,
        }
        return common.finish(
            "ack latency with Redis hung (SIGSTOP)",
            figures,
            {
                "every request answered 200": failed == 0,
                f"every ack < {TARGET_MAX_MS:g} ms": worst < TARGET_MAX_MS,
                "/readyz 503 while hung, 200 after": (ready_during, ready_after) == (503, 200),
            },
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    args = parser.parse_args()
    return run(args.count, args.rate)


if __name__ == "__main__":
    raise SystemExit(main())
