"""Target 4 — memory: worker RSS < 150 MB with 50 jobs in flight; bot RSS < 120 MB.

50 `probe` commands go to a loopback upstream that holds each request for `--hold` seconds, so
all 50 are in flight in the worker at once (the upstream counts them). The real processes' RSS is
then read from /proc/<pid>/status (VmRSS now, VmHWM peak). MB here means MiB.
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

WORKER_LIMIT_MB = 150.0
BOT_LIMIT_MB = 120.0


async def fill(bot: common.Proc, upstream: common.Proc, s: common.Stack, jobs: int) -> int:
    """Sends `jobs` commands (one channel each, so pacing holds none back) and waits until the
    upstream holds them all; returns how many were in flight at most."""
    async with common.client_session() as session:
        await asyncio.gather(
            *(
                common.slash(
                    session,
                    bot,
                    f"probe http://127.0.0.1:{upstream.port}/r/m{i}",
                    f"U{i:04d}",
                    f"C{i:04d}",
                    i,
                )
                for i in range(jobs)
            )
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if s.upstream_stats(upstream)["in_flight"] >= jobs:
            break
        await asyncio.sleep(0.1)
    return int(s.upstream_stats(upstream)["max_in_flight"])


def run(jobs: int = 50, hold: float = 5.0) -> int:
    with common.stack() as s:
        s.start_slack()
        upstream = s.start_upstream(hold)
        worker = s.start_worker(AUTHCHECK_WORKER_CONCURRENCY=str(jobs))
        bot = s.start_bot()
        idle_worker, idle_bot = common.rss_mb(worker.pid)[0], common.rss_mb(bot.pid)[0]
        in_flight = asyncio.run(fill(bot, upstream, s, jobs))
        worker_now, worker_peak = common.rss_mb(worker.pid)
        bot_now, bot_peak = common.rss_mb(bot.pid)
    figures = {
        "jobs in flight (upstream's count)": in_flight,
        "worker RSS idle (MiB)": idle_worker,
        "worker RSS with jobs in flight (MiB)": worker_now,
        "worker peak RSS (MiB)": worker_peak,
        "bot RSS idle (MiB)": idle_bot,
        "bot RSS after the commands (MiB)": bot_now,
        "bot peak RSS (MiB)": bot_peak,
    }
    return common.finish(
        "memory",
        figures,
        {
            f"{jobs} jobs in flight": in_flight >= jobs,
            f"worker peak < {WORKER_LIMIT_MB:g} MiB": worker_peak < WORKER_LIMIT_MB,
            f"bot peak < {BOT_LIMIT_MB:g} MiB": bot_peak < BOT_LIMIT_MB,
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--hold", type=float, default=5.0, help="seconds the upstream holds each")
    a = parser.parse_args()
    return run(a.jobs, a.hold)


if __name__ == "__main__":
    raise SystemExit(main())
