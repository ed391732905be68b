"""A loopback HTTP upstream for `probe`: answers every path after `--delay` seconds.

It records how long each request took on its side (arrival to answer) and how many were in
flight at most, readable at `GET /_stats` — the "slowest single upstream call" of the
orchestration benchmark, and the proof that 50 jobs really were in flight for the memory one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time

from aiohttp import web


class Upstream:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls: dict[str, list[tuple[float, float]]] = {}  # path → [(arrival, duration)]
        self.count = 0
        self.in_flight = 0
        self.max_in_flight = 0

    async def answer(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        self.count += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            return web.json_response({"ok": True}, headers={"Cache-Control": "no-store"})
        finally:
            self.in_flight -= 1
            self.calls.setdefault(request.path, []).append((started, time.monotonic() - started))

    async def stats(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "count": self.count,
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "calls": self.calls,
            }
        )


async def serve(port: int, delay: float) -> None:
    upstream = Upstream(delay)
    app = web.Application()
    app.router.add_get("/_stats", upstream.stats)
    app.router.add_route("*", "/{tail:.*}", upstream.answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.delay))


if __name__ == "__main__":
    main()
