"""One answer per job even when two runs of it overlap (a reclaimed job whose first worker was
only slow): the reply index lets exactly one post, the other edits that message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs.job import Job
from bot.jobs.replies import MemoryReplyIndex, RedisReplyIndex, ReplyIndex
from bot.slack.pacing import ChannelPacer
from bot.slack.sink import SlackSink
from handlers.core.model import Finding, Report, Severity
from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack


@pytest_asyncio.fixture(params=["memory", "redis"])
async def index(request: pytest.FixtureRequest, redis_db: RedisServer) -> AsyncIterator[ReplyIndex]:
    if request.param == "memory":
        yield MemoryReplyIndex()
        return
    client = aioredis.Redis.from_url(redis_db.url)
    yield RedisReplyIndex(client)
    await client.aclose()


async def test_only_one_caller_may_post_and_the_ts_is_shared(index: ReplyIndex) -> None:
    assert await index.reserve("job1")
    assert not await index.reserve("job1")
    assert await index.get("job1") is None  # reserved, not yet posted
    assert await index.claim("job1", "1700.0001") == "1700.0001"
    assert await index.get("job1") == "1700.0001"
    await index.release("job1")  # a recorded reply is not released
    assert await index.get("job1") == "1700.0001"


async def test_a_failed_post_releases_the_reservation(index: ReplyIndex) -> None:
    assert await index.reserve("job2")
    await index.release("job2")
    assert await index.reserve("job2")


async def test_two_runs_of_one_job_leave_one_answer(
    fake_slack: FakeSlack, index: ReplyIndex
) -> None:
    client = AsyncWebClient(token=DEFAULT_TOKEN, base_url=fake_slack.url)
    sinks = [SlackSink(client, ChannelPacer(rate=50), index) for _ in range(2)]
    job = Job(text="help", origin={"channel": "C0DUP", "thread_ts": "1700000000.000500"})
    report = Report("help", [Finding("help", Severity.INFO, "authcheck commands")])
    gate = fake_slack.hold("chat.postMessage")  # the first post is in flight...
    first = asyncio.create_task(sinks[0].finished(job, report))
    await fake_slack.wait_for(lambda _: fake_slack.held, timeout=10)
    second = asyncio.create_task(sinks[1].finished(job, report))  # ...when the second run ends
    await asyncio.sleep(0.3)
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, second), timeout=15)
    thread = fake_slack.thread("C0DUP", "1700000000.000500")
    assert len(thread) == 1
    assert len(fake_slack.calls_of("chat.postMessage")) == 1
    assert len(fake_slack.calls_of("chat.update")) == 1
