"""Target 3 — incident burst: 500 commands within 10 s from 50 users across 5 channels.

Every command must be acked within 3 s and answered exactly once (one thread reply, final), none
lost (Redis holds no job, pending entry or dead letter afterwards), while the fake Slack enforces
about one message per second per channel with a burst of 3 (HTTP 429 otherwise) and the bot
never draws a 429. Reports p50/p95 time to answer and how long the whole run took.

Bot (`serve --no-worker`) and worker are separate processes, so this also proves they spend one
pacing budget per channel (bot/pacing.py, in Redis). At one message per second, 100 commands in
a channel need at least ~200 messages (parent + answer each): the run takes minutes by design.
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

ACK_LIMIT_MS = 3000.0
MARKER = "/r/"


async def send_all(
    bot: common.Proc,
    upstream: common.Proc,
    commands: int,
    seconds: float,
    users: int,
    channels: int,
) -> list[common.Sent]:
    async with common.client_session(limit=100) as session:
        tasks: list[asyncio.Task[common.Sent]] = []
        start = time.monotonic()
        for i in range(commands):
            due = start + i * seconds / commands
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            text = f"probe http://127.0.0.1:{upstream.port}{MARKER}b{i}"
            user, channel = f"U{i % users:04d}", f"C{i % channels:03d}"
            tasks.append(asyncio.create_task(common.slash(session, bot, text, user, channel, i)))
        return list(await asyncio.gather(*tasks))


def leftovers(s: common.Stack) -> dict[str, int]:
    """What Redis still holds of the queue: anything here is a lost or stuck job."""
    client = s.redis.client()
    try:
        pending = 0
        if client.exists("authcheck:jobs"):
            pending = int(client.xpending("authcheck:jobs", "authcheck-workers")["pending"])
        return {
            "stream": int(client.xlen("authcheck:jobs")),
            "pending": pending,
            "delayed": int(client.zcard("authcheck:delayed")),
            "dead": int(client.llen("authcheck:dead")),
        }
    finally:
        client.close()


async def wait_answers(
    s: common.Stack, keys: list[str], limit_s: float, settle: float = 2.0
) -> dict[str, list[common.Thread]]:
    deadline = time.monotonic() + limit_s
    threads: dict[str, list[common.Thread]] = {}
    while time.monotonic() < deadline:
        threads = common.threads_by_marker(s.slack_record(), MARKER)
        if all(k in threads and threads[k][0].answered_at() is not None for k in keys):
            break
        await asyncio.sleep(1.0)
    await asyncio.sleep(settle)  # anything late (a duplicate) still shows up
    return common.threads_by_marker(s.slack_record(), MARKER)


def run(
    commands: int = 500,
    seconds: float = 10.0,
    users: int = 50,
    channels: int = 5,
    concurrency: int = 50,
    timeout: float = 600.0,
    settle: float = 2.0,
) -> int:
    with common.stack() as s:
        s.start_slack(rate_limit=True)
        upstream = s.start_upstream(0.0)
        worker = s.start_worker(AUTHCHECK_WORKER_CONCURRENCY=str(concurrency))
        bot = s.start_bot()
        began = time.monotonic()
        sent = asyncio.run(send_all(bot, upstream, commands, seconds, users, channels))
        sent_in = time.monotonic() - began
        keys = [f"b{x.index}" for x in sent]
        threads = asyncio.run(wait_answers(s, keys, timeout, settle))
        left = leftovers(s)
        rate_limited = int(s.slack_record()["rate_limited"])
        bot_rss, worker_rss = common.rss_mb(bot.pid)[1], common.rss_mb(worker.pid)[1]
    acks = [x.ack_ms for x in sent]
    late_acks = sum(1 for x in sent if x.status != 200 or x.ack_ms >= ACK_LIMIT_MS)
    answer_s: list[float] = []
    missing = duplicated = 0
    last = 0.0
    for x in sent:
        found = threads.get(f"b{x.index}", [])
        replies = sum(len(t.replies) for t in found)
        when = found[0].answered_at() if found else None
        if when is None:
            missing += 1
            continue
        if len(found) != 1 or replies != 1:
            duplicated += 1
        answer_s.append(when - x.start)
        last = max(last, when)
    figures = {
        "commands": commands,
        "sent within (s)": sent_in,
        "users / channels": f"{users} / {channels}",
        "ack p50 (ms)": common.percentile(acks, 50),
        "ack p99 (ms)": common.percentile(acks, 99),
        "ack max (ms)": max(acks),
        "not acked within 3 s": late_acks,
        "answered": len(answer_s),
        "unanswered": missing,
        "answered more than once / extra threads": duplicated,
        "HTTP 429 from fake Slack": rate_limited,
        "left in Redis (stream/pending/delayed/dead)": "/".join(str(v) for v in left.values()),
        "time to answer p50 (s)": common.percentile(answer_s, 50),
        "time to answer p95 (s)": common.percentile(answer_s, 95),
        "whole run: first send → last answer (s)": (last - sent[0].start) if answer_s else 0.0,
        "peak RSS bot / worker (MiB)": f"{bot_rss:.0f} / {worker_rss:.0f}",
    }
    return common.finish(
        "incident burst",
        figures,
        {
            "every command acked within 3 s": late_acks == 0,
            "every command answered": missing == 0,
            "answered exactly once": duplicated == 0,
            "nothing left in Redis": not any(left.values()),
            "no 429 from Slack": rate_limited == 0,
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0, help="spread the sends over this")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=50, help="worker lanes")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up waiting after")
    a = parser.parse_args()
    return run(a.commands, a.seconds, a.users, a.channels, a.concurrency, a.timeout)


if __name__ == "__main__":
    raise SystemExit(main())
