"""Per-channel pacing: the in-process GCRA, the Redis-shared one, and the sink's use of them."""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs.job import Job
from bot.jobs.replies import MemoryReplyIndex
from bot.slack.pacing import ChannelPacer, RedisChannelPacer
from bot.slack.sink import SlackSink
from handlers.core.model import Finding, Report, Severity
from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_burst_then_one_per_interval() -> None:
    clock = Clock()
    pacer = ChannelPacer(rate=1.0, burst=3, clock=clock, headroom=0.0)
    assert [await pacer.try_acquire("C1") for _ in range(4)] == [True, True, True, False]
    assert await pacer.try_acquire("C2")  # channels are independent
    clock.now += 1.0
    assert await pacer.try_acquire("C1")
    assert not await pacer.try_acquire("C1")


async def test_reservations_are_spaced_by_the_interval_with_headroom() -> None:
    clock = Clock()
    pacer = ChannelPacer(rate=1.0, burst=2, clock=clock, headroom=0.1)
    waits = [pacer.take("C1", reserve=True) for _ in range(4)]
    assert waits[:2] == [0.0, 0.0]
    assert None not in waits
    assert abs((waits[2] or 0.0) - 1.1) < 1e-9
    assert abs((waits[3] or 0.0) - 2.2) < 1e-9
    # a reservation queue means no free slot for a progress update
    assert not await pacer.try_acquire("C1")


async def test_penalise_pushes_the_next_slot_out() -> None:
    clock = Clock()
    pacer = ChannelPacer(rate=1.0, burst=3, clock=clock, headroom=0.0)
    pacer.penalise("C1", 5.0)
    assert not await pacer.try_acquire("C1")
    clock.now += 5.0
    assert await pacer.try_acquire("C1")


async def test_redis_pacer_is_one_budget_for_every_process(redis_db: RedisServer) -> None:
    bot = aioredis.Redis.from_url(redis_db.url)
    worker = aioredis.Redis.from_url(redis_db.url)
    try:
        # a rate this low cannot refill while the test runs: no timing involved
        a = RedisChannelPacer(bot, rate=0.001, burst=2)
        b = RedisChannelPacer(worker, rate=0.001, burst=2)
        assert await a.try_acquire("C1")
        assert await b.try_acquire("C1")
        assert not await a.try_acquire("C1")  # the worker spent the bot's second slot
        assert not await b.try_acquire("C1")
        assert await b.try_acquire("C2")
    finally:
        await bot.aclose()
        await worker.aclose()


async def test_redis_pacer_acquire_within_the_burst_does_not_wait(redis_db: RedisServer) -> None:
    client = aioredis.Redis.from_url(redis_db.url)
    try:
        pacer = RedisChannelPacer(client, rate=0.001, burst=2)
        await pacer.acquire("C1")
        await pacer.acquire("C1")
        assert not await pacer.try_acquire("C1")
        key = await client.get("authcheck:pace:C1")
        assert int(key or 0) > 0
        assert await client.pttl("authcheck:pace:C1") > 0  # the state expires by itself
    finally:
        await client.aclose()


async def test_redis_pacer_falls_back_when_redis_is_gone() -> None:
    client = aioredis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    try:
        pacer = RedisChannelPacer(client, rate=0.001, burst=1)
        assert await pacer.try_acquire("C1")
        assert not await pacer.try_acquire("C1")  # the in-process budget still holds
    finally:
        await client.aclose()


async def test_busy_channel_skips_the_placeholder_not_the_answer(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token=DEFAULT_TOKEN, base_url=fake_slack.url)
    clock = Clock()
    pacer = ChannelPacer(rate=1.0, burst=1, clock=clock, headroom=0.0)
    sink = SlackSink(client, pacer, MemoryReplyIndex())
    job = Job(text="explain 401", origin={"channel": "C1", "thread_ts": "1700000000.000100"})
    assert await pacer.try_acquire("C1")  # someone else just used the channel's only slot
    await sink.started(job, "explain", 1)
    assert fake_slack.calls_of("chat.postMessage") == []
    clock.now += 1.0
    report = Report(command="explain", findings=[Finding("explain", Severity.INFO, "401 means…")])
    await sink.finished(job, report)
    posted = fake_slack.calls_of("chat.postMessage")
    assert len(posted) == 1
    assert posted[0].payload["thread_ts"] == "1700000000.000100"
    assert "running…" not in posted[0].payload["text"]
