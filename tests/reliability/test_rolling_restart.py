"""Rolling restarts with real processes (`python -m bot.cli.main serve --no-worker` and
`… worker`), a real redis-server and the fake Slack Web API over HTTP.

- The bot SIGTERMed right after a burst of acked slash commands: every one is still answered,
  once, in its own thread (enqueued before the paced parent message; listener tasks drained).
- A worker SIGTERMed mid-job hands the job back at once: another worker answers it long before
  the visibility timeout would have let it reclaim the job.
Waits are bounded; nothing asserts on how long something took.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio
import redis.asyncio as aioredis
from aiohttp import web

from bot.jobs.crypto import JobCipher
from bot.jobs.job import Job
from bot.jobs.redis_queue import GROUP, STREAM, RedisQueue
from tests.fakes.redis_server import RedisServer, free_port
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import signed_slash_command
from tests.reliability.test_startup import JOB_KEY, SIGNING_SECRET, _ended, _env, _started

CHANNEL = "C0ROLLING"
BURST = 10
TOPICS = ("401", "403", "invalid_client")


def _answers(fake: FakeSlack) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.posted(CHANNEL)
        if m.get("thread_ts") and "running" not in str(m.get("text", "")).lower()
    ]


def _parents(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.posted(CHANNEL) if not m.get("thread_ts")]


async def test_bot_sigterm_right_after_a_burst_loses_no_acked_command(
    fake_slack: FakeSlack, redis_db: RedisServer, report_row: Any
) -> None:
    # Two messages a second in the channel: the burst's parents queue for their slots, so the
    # SIGTERM lands while most of them are still waiting (the case that lost commands).
    env = _env(fake_slack, REDIS_URL=redis_db.url, AUTHCHECK_CHANNEL_RATE="2")
    url = f"http://127.0.0.1:{env['PORT']}/slack/events"
    async with (
        _started("serve", "--no-worker", env=env, ready="serving HTTP") as bot,
        aiohttp.ClientSession() as http,
    ):
        statuses = []
        for index in range(BURST):
            body, headers = signed_slash_command(
                SIGNING_SECRET, f"explain {TOPICS[index % 3]}", channel_id=CHANNEL
            )
            async with http.post(url, data=body, headers=headers) as answer:
                statuses.append(answer.status)
        bot.send_signal(signal.SIGTERM)
        ended = await _ended(bot)
    assert statuses == [200] * BURST
    assert ended.code == 0, ended
    assert "Traceback" not in ended.stderr
    async with _started("worker", env=env, ready="worker started") as worker:
        await fake_slack.wait_for(lambda _: len(_answers(fake_slack)) >= BURST, timeout=60)
        await asyncio.sleep(1.0)  # anything posted twice would show up now
        worker.send_signal(signal.SIGTERM)
        assert (await _ended(worker)).code == 0
    answers, parents = _answers(fake_slack), _parents(fake_slack)
    assert len(parents) == BURST, "one parent message per command"
    assert len(answers) == BURST, "one answer per command"
    assert sorted(a["thread_ts"] for a in answers) == sorted(p["ts"] for p in parents)
    assert not fake_slack.calls_of("chat.postEphemeral")
    client = redis_db.client()
    assert client.xpending(STREAM, GROUP)["pending"] == 0
    client.close()
    report_row(
        "Fault",
        "rolling restart: SIGTERM to the bot right after a burst",
        f"{BURST} slash commands acked, SIGTERM at once (parents still waiting for pacing)",
        "bot exits 0; every command answered once in its own thread by the worker",
        f"lost = 0 of {BURST}",
    )


class SlowOnce:
    """An upstream that hangs on its first request (the job a worker is stopped in) and
    answers 401 after that."""

    def __init__(self) -> None:
        self.requests = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, _: web.Request) -> web.Response:
        self.requests += 1
        if self.requests == 1:
            await asyncio.sleep(3600)
        return web.Response(
            status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}/orders"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest_asyncio.fixture
async def slow_once() -> AsyncIterator[SlowOnce]:
    upstream = SlowOnce()
    await upstream.start()
    yield upstream
    await upstream.stop()


async def test_worker_sigterm_hands_its_job_back_at_once(
    fake_slack: FakeSlack, redis_db: RedisServer, slow_once: SlowOnce, report_row: Any
) -> None:
    env = _env(
        fake_slack,
        REDIS_URL=redis_db.url,
        AUTHCHECK_URL_ALLOWLIST="127.0.0.1",
        AUTHCHECK_TIMEOUT="100",
        AUTHCHECK_CHECK_TIMEOUT="300",
        AUTHCHECK_JOB_VISIBILITY="120",  # reclaiming by idle time would take two minutes
        AUTHCHECK_WORKER_CONCURRENCY="1",
    )
    queue = RedisQueue(aioredis.Redis.from_url(redis_db.url), JobCipher(JOB_KEY))
    job = Job(
        text=f"probe {slow_once.url}",
        origin={"channel": CHANNEL, "thread_ts": "1700000000.000950", "user": "U0ALICE"},
    )
    assert await queue.put(job)
    client = redis_db.client()
    async with _started("worker", env=env, ready="worker started") as first:
        for _ in range(300):  # bounded: the first worker takes the job and hangs upstream
            if slow_once.requests >= 1:
                break
            await asyncio.sleep(0.1)
        assert slow_once.requests == 1
        assert client.xpending(STREAM, GROUP)["pending"] == 1
        first.send_signal(signal.SIGTERM)
        ended = await _ended(first)
    assert ended.code == 0, ended
    assert "Traceback" not in ended.stderr
    assert client.xpending(STREAM, GROUP)["pending"] == 0, "handed back, not left pending"
    async with _started("worker", env=env, ready="worker started") as second:
        # Far below the 120 s visibility timeout: only a handed-back job can be answered here.
        await fake_slack.wait_for(
            lambda _: [
                m
                for m in fake_slack.thread(CHANNEL, "1700000000.000950")
                if "running" not in str(m.get("text", "")).lower()
            ],
            timeout=40,
        )
        await asyncio.sleep(1.0)
        second.send_signal(signal.SIGTERM)
        await _ended(second)
    replies = fake_slack.thread(CHANNEL, "1700000000.000950")
    assert len(replies) == 1, "one reply, edited in place by the second run"
    assert slow_once.requests == 2
    assert client.xpending(STREAM, GROUP)["pending"] == 0
    assert int(client.hget("authcheck:attempts", job.id) or 0) == 0
    client.close()
    await queue.close()
    report_row(
        "Fault",
        "rolling restart: SIGTERM to a worker mid-job",
        "a job hanging upstream, SIGTERM to its worker, a second worker started",
        "the job is handed back at once (nothing left pending) and answered once by the "
        "second worker, well before the 120 s visibility timeout",
        "lost = 0 of 1",
    )
