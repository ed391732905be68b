"""Target 5 — throughput of the queue itself: enqueue and no-op jobs per second of
`bot/redis_queue.RedisQueue` (Redis Streams via redis-py), next to reference figures.

The workflow copies saq's own benchmark (benchmarks/simple.py in the saq repository): N = 1000
jobs enqueued with at most 20 in flight, then drained by 10 concurrent consumers doing nothing.
Ours includes what the bot really does per job: Fernet encryption of the payload, the trim of
expired entries, the attempts counter, ack + delete when done. References printed alongside:
`redis-benchmark` XADD on this machine (the ceiling: the raw command, no Python), saq run on
this machine with the same workflow when the package is installed, and saq's published table.
Target (a floor, not a race): both rates at least 10× the incident burst's 50 commands/s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bot.jobs.crypto import JobCipher, generate_key
from bot.jobs.job import Job
from bot.jobs.redis_queue import RedisQueue
from tests.fakes.redis_server import RedisServer, running_redis

FLOOR_PER_S = 500.0
#: saq's published table (N = 1000, seconds): github.com/tobymao/saq, benchmarks/README.md.
SAQ_PUBLISHED = {"enqueue": 0.17970, "noop": 0.91998}


async def ours(url: str, n: int, in_flight: int, consumers: int) -> tuple[float, float]:
    queue = RedisQueue.from_url(url, JobCipher(generate_key()), block_ms=100)
    sem = asyncio.Semaphore(in_flight)

    async def put(i: int) -> None:
        async with sem:
            await queue.put(Job(text=f"explain {i}", origin={"channel": "C1"}))

    started = time.perf_counter()
    await asyncio.gather(*(put(i) for i in range(n)))
    enqueue_s = time.perf_counter() - started

    done = 0

    async def consume() -> None:
        nonlocal done
        while done < n:
            job = await queue.take(wait_seconds=0.5)
            if job is None:
                continue
            await queue.done(job)
            done += 1

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(consume() for _ in range(consumers))), timeout=120)
    noop_s = time.perf_counter() - started
    await queue.close()
    return enqueue_s, noop_s


async def noop(ctx: Any) -> None:
    """saq's no-op job (saq looks functions up by name, so it lives at module level)."""
    return None


async def saq_here(url: str, n: int, in_flight: int, consumers: int) -> tuple[float, float] | None:
    """saq's own workflow against the same Redis, if saq is installed (it is not a dependency)."""
    try:
        from saq import Queue, Worker
    except ImportError:
        return None

    logging.getLogger("saq").setLevel(logging.CRITICAL)
    queue = Queue.from_url(url)
    worker = Worker(queue=queue, functions=[noop], concurrency=consumers)
    sem = asyncio.Semaphore(in_flight)

    async def put() -> None:
        async with sem:
            await queue.enqueue("noop")

    started = time.perf_counter()
    await asyncio.gather(*(put() for _ in range(n)))
    enqueue_s = time.perf_counter() - started
    started = time.perf_counter()
    task = asyncio.create_task(worker.start())
    for _ in range(12_000):  # at most ~120 s
        if not await queue.count("incomplete"):
            break
        await asyncio.sleep(0.01)
    noop_s = time.perf_counter() - started
    await worker.stop()
    task.cancel()
    await queue.disconnect()
    return enqueue_s, noop_s


def redis_benchmark(server: RedisServer, clients: int, requests: int) -> float | None:
    """XADD requests per second from `redis-benchmark` (the Redis package's own tool)."""
    binary = shutil.which("redis-benchmark")
    if binary is None:
        return None
    args = [binary, "-h", "127.0.0.1", "-p", str(server.port), "-c", str(clients)]
    args += ["-n", str(requests), "-q", "XADD", "benchstream", "*", "payload", "x" * 300]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False).stdout
    found = re.findall(r"([\d.]+) requests per second", out)
    return float(found[-1]) if found else None


def run(
    n: int = 1000,
    in_flight: int = 20,
    consumers: int = 10,
    xadd_requests: int = 100_000,
    with_saq: bool = True,
) -> int:
    with running_redis() as server:
        enqueue_s, noop_s = asyncio.run(ours(server.url, n, in_flight, consumers))
        server.client().flushall()
        saq = asyncio.run(saq_here(server.url, n, in_flight, consumers)) if with_saq else None
        xadd_50 = redis_benchmark(server, 50, xadd_requests)
        xadd_1 = redis_benchmark(server, 1, max(xadd_requests // 5, 1000))
    enqueue_rate, noop_rate = n / enqueue_s, n / noop_s
    figures: dict[str, Any] = {
        "jobs (N)": n,
        "RedisQueue enqueue (jobs/s)": enqueue_rate,
        "RedisQueue no-op processed (jobs/s)": noop_rate,
        "redis-benchmark XADD, 50 clients (req/s, this machine)": xadd_50 or "not installed",
        "redis-benchmark XADD, 1 client (req/s, this machine)": xadd_1 or "not installed",
    }
    if saq is not None:
        figures["saq enqueue (jobs/s, this machine)"] = n / saq[0]
        figures["saq no-op processed (jobs/s, this machine)"] = n / saq[1]
    figures["saq published enqueue (jobs/s; N=1000 in 0.1797 s)"] = 1000 / SAQ_PUBLISHED["enqueue"]
    figures["saq published no-op (jobs/s; N=1000 in 0.91998 s)"] = 1000 / SAQ_PUBLISHED["noop"]
    return common.finish(
        "queue throughput",
        figures,
        {
            f"enqueue >= {FLOOR_PER_S:g}/s": enqueue_rate >= FLOOR_PER_S,
            f"no-op processing >= {FLOOR_PER_S:g}/s": noop_rate >= FLOOR_PER_S,
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=20, help="concurrent enqueues (saq: 20)")
    parser.add_argument("--consumers", type=int, default=10, help="concurrent consumers (saq: 10)")
    parser.add_argument("--xadd-requests", type=int, default=100_000)
    a = parser.parse_args()
    return run(a.jobs, a.in_flight, a.consumers, a.xadd_requests)


if __name__ == "__main__":
    raise SystemExit(main())
