"""The tests' fake Slack Web API as its own process, plus one read-out route for benchmarks.

`GET /_bench/record` returns every call compactly — method, arrival time (monotonic), whether it
succeeded, channel, the ts of the message it created or edited, thread_ts and text — which is
what the benchmarks need to pair parents with thread replies (the fake's own `/_fake/calls`
leaves out the ts a postMessage answered with).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack


def record(fake: FakeSlack) -> dict[str, Any]:
    calls = []
    for c in fake.calls:
        ts = c.response.get("ts") if c.method == "chat.postMessage" else c.payload.get("ts")
        calls.append(
            {
                "method": c.method,
                "time": c.time,
                "ok": c.ok,
                "status": c.http_status,
                "channel": str(c.payload.get("channel", "")),
                "ts": str(ts or ""),
                "thread_ts": str(c.payload.get("thread_ts") or ""),
                "text": str(c.payload.get("text", "")),
            }
        )
    return {"calls": calls, "rate_limited": fake.rate_limited}


async def serve(args: argparse.Namespace) -> None:
    fake = FakeSlack(
        tokens=[DEFAULT_TOKEN],
        rate_limit=args.rate_limit,
        per_second=args.per_second,
        burst=args.burst,
    )

    async def bench_record(_: web.Request) -> web.Response:
        return web.json_response(record(fake))

    app = fake.app()
    app.router.add_get("/_bench/record", bench_record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    print(f"fake Slack at http://127.0.0.1:{args.port}/api/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description="fake Slack Web API for benchmarks")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate-limit", action="store_true")
    parser.add_argument("--per-second", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=3)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
