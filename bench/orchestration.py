"""Target 2 — orchestration overhead: request in → final thread reply posted, divided by the
slowest upstream call the command's checks made; target ≤ 1.15.

The command is `probe <url>` against a loopback upstream that takes `--delay` (200 ms) to
answer; the upstream measures that call on its side. End-to-end runs from the moment this
process sends the signed slash command to the moment the fake Slack receives the final version
of the thread reply (both stamped with the machine-wide monotonic clock). Commands are sent one
after another so each measures the path, not a queue. `probe --token` makes two calls one after
the other by design (it compares the answers), so it is shown for information against the sum.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_RATIO = 1.15
MARKER = "/r/"


@dataclass
class Timing:
    """One command's milestones, in seconds after the slash command was sent."""

    e2e: float
    slowest: float
    ack: float
    parent: float
    first_reply: float
    upstream_start: float
    upstream_end: float

    @property
    def ratio(self) -> float:
        return self.e2e / self.slowest


async def one(
    s: common.Stack, bot: common.Proc, upstream: common.Proc, key: str, token: bool
) -> Timing:
    """The milestones of one command, from the fake Slack's and the upstream's records."""
    url = f"http://127.0.0.1:{upstream.port}{MARKER}{key}"
    text = f"probe {url}" + (" --token opaque-bench-token-0000" if token else "")
    async with common.client_session() as session:
        sent = await common.slash(session, bot, text, "U0BENCH", f"C{key}", 0)
    if sent.status != 200:
        raise RuntimeError(f"slash command answered HTTP {sent.status}")
    answered: float | None = None
    deadline = time.monotonic() + 20
    threads: list[common.Thread] = []
    while answered is None and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        threads = common.threads_by_marker(s.slack_record(), MARKER).get(key, [])
        answered = threads[0].answered_at() if threads else None
    if answered is None:
        raise RuntimeError(f"no final answer for {key} within 20 s")
    calls = s.upstream_stats(upstream)["calls"][MARKER + key]
    slowest = sum(d for _, d in calls) if token else max(d for _, d in calls)
    t0 = sent.start
    return Timing(
        e2e=answered - t0,
        slowest=slowest,
        ack=sent.end - t0,
        parent=threads[0].parent_time - t0,
        first_reply=threads[0].first_reply - t0,
        upstream_start=min(a for a, _ in calls) - t0,
        upstream_end=max(a + d for a, d in calls) - t0,
    )


async def series(
    s: common.Stack, bot: common.Proc, upstream: common.Proc, count: int, token: bool
) -> list[Timing]:
    for i in range(2):  # warm-up: connections, Bolt's and the worker's first-call set-up
        await one(s, bot, upstream, f"warm{i}{int(token)}", token)
    return [await one(s, bot, upstream, f"o{i}{'t' if token else ''}", token) for i in range(count)]


def run(count: int = 20, delay: float = 0.2, profile: bool = False) -> int:
    with common.stack() as s:
        s.start_slack()
        upstream = s.start_upstream(delay)
        s.start_worker(profile=profile)
        bot = s.start_bot(profile=profile, AUTHCHECK_USER_RATE="1000")
        timings = asyncio.run(series(s, bot, upstream, count, token=False))
        token_timings = asyncio.run(series(s, bot, upstream, max(count // 4, 1), token=True))
    ratios = [t.ratio for t in timings]
    p50 = common.percentile(ratios, 50)

    def ms(pick: Callable[[Timing], float]) -> float:
        return common.percentile([pick(t) * 1000 for t in timings], 50)

    figures = {
        "commands": count,
        "upstream delay (ms)": delay * 1000,
        "ratio p50": p50,
        "ratio p90": common.percentile(ratios, 90),
        "ratio max": max(ratios),
        "overhead p50 (ms)": (p50 - 1) * delay * 1000,
        "p50 ms after send: ack": ms(lambda t: t.ack),
        "p50 ms after send: parent message at Slack": ms(lambda t: t.parent),
        "p50 ms after send: first thread reply at Slack": ms(lambda t: t.first_reply),
        "p50 ms after send: upstream call starts": ms(lambda t: t.upstream_start),
        "p50 ms after send: upstream call ends": ms(lambda t: t.upstream_end),
        "p50 ms after send: final answer at Slack": ms(lambda t: t.e2e),
        "probe --token (both calls at once) ratio to their sum, p50": common.percentile(
            [t.ratio for t in token_timings], 50
        ),
    }
    name = "orchestration overhead"
    return common.finish(name, figures, {f"ratio p50 <= {TARGET_RATIO}": p50 <= TARGET_RATIO})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.2, help="upstream delay in seconds")
    parser.add_argument(
        "--profile", action="store_true", help="run bot and worker under pyinstrument"
    )
    args = parser.parse_args()
    return run(args.count, args.delay, args.profile)


if __name__ == "__main__":
    raise SystemExit(main())
