"""The Redis Streams queue against a real redis-server: delivery, reclaim, retry, leaks."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from bot.jobs.crypto import JobCipher
from bot.jobs.job import Job
from bot.jobs.redis_queue import ATTEMPTS, DEAD, DELAYED, STREAM, RedisQueue
from tests.fakes.redis_server import RedisServer

SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ"
KEY = "a-test-key-that-is-long-enough"


def make_queue(server: RedisServer, **kwargs: object) -> RedisQueue:
    client = aioredis.Redis.from_url(server.url)
    params: dict[str, object] = {"visibility_seconds": 60.0, "block_ms": 100}
    params.update(kwargs)
    return RedisQueue(client, JobCipher(KEY), **params)  # type: ignore[arg-type]


async def test_put_take_done_leaves_nothing_behind(redis_db: RedisServer) -> None:
    queue = make_queue(redis_db)
    job = Job(text=f"decode {SECRET_TOKEN}", origin={"channel": "C1"})
    assert await queue.put(job)
    stored = redis_db.all_bytes()
    assert SECRET_TOKEN.encode() not in stored, "payload must be encrypted at rest"
    assert b"decode" not in stored
    taken = await queue.take()
    assert taken.id == job.id
    assert taken.text == job.text
    assert taken.attempts == 1
    await queue.done(taken)
    client = redis_db.client()
    assert client.xlen(STREAM) == 0
    assert client.hlen(ATTEMPTS) == 0
    assert SECRET_TOKEN.encode() not in redis_db.all_bytes()
    await queue.close()


async def test_dedupe_key_rejects_a_second_put(redis_db: RedisServer) -> None:
    queue = make_queue(redis_db)
    first = Job(text="help", origin={"dedupe": "event:Ev1"})
    again = Job(text="help", origin={"dedupe": "event:Ev1"})
    assert await queue.put(first)
    assert not await queue.put(again)
    assert redis_db.client().xlen(STREAM) == 1
    await queue.close()


async def test_job_of_a_dead_worker_is_reclaimed_by_another(redis_db: RedisServer) -> None:
    dead_worker = make_queue(redis_db, visibility_seconds=0.2, consumer="dead")
    live_worker = make_queue(redis_db, visibility_seconds=0.2, consumer="live")
    job = Job(text="help")
    await dead_worker.put(job)
    taken = await dead_worker.take()  # ...and never acknowledged: the worker "died"
    assert taken.attempts == 1
    reclaimed = await asyncio.wait_for(live_worker.take(), timeout=10)
    assert reclaimed.id == job.id
    assert reclaimed.attempts == 2
    await live_worker.done(reclaimed)
    assert redis_db.client().xlen(STREAM) == 0
    await dead_worker.close()
    await live_worker.close()


async def test_touch_keeps_a_running_job_from_being_reclaimed(redis_db: RedisServer) -> None:
    owner = make_queue(redis_db, visibility_seconds=0.3, consumer="owner")
    other = make_queue(redis_db, visibility_seconds=0.3, consumer="other")
    await owner.put(Job(text="help"))
    taken = await owner.take()
    for _ in range(4):
        await asyncio.sleep(0.15)
        await owner.touch(taken)
        claimed = await other.redis.xautoclaim(
            STREAM, "authcheck-workers", "other", min_idle_time=300, start_id="0-0"
        )
        assert claimed[1] == [], "a touched job must stay with its owner"
    await owner.done(taken)
    await owner.close()
    await other.close()


async def test_retry_comes_back_after_the_delay(redis_db: RedisServer) -> None:
    queue = make_queue(redis_db)
    await queue.put(Job(text=f"decode {SECRET_TOKEN}"))
    taken = await queue.take()
    await queue.retry(taken, delay=0.2)
    client = redis_db.client()
    assert client.zcard(DELAYED) == 1
    assert SECRET_TOKEN.encode() not in redis_db.all_bytes()
    again = await asyncio.wait_for(queue.take(), timeout=10)
    assert again.id == taken.id
    assert again.attempts == 2
    await queue.done(again)
    assert client.zcard(DELAYED) == 0
    assert client.xlen(STREAM) == 0
    await queue.close()


async def test_dead_letter_keeps_no_secret(redis_db: RedisServer) -> None:
    queue = make_queue(redis_db)
    await queue.put(Job(text=f"introspect {SECRET_TOKEN}", origin={"channel": "C9"}))
    taken = await queue.take()
    await queue.dead(taken, "too many attempts")
    records = await queue.dead_letters()
    assert records[0]["command"] == "introspect"
    assert records[0]["origin"] == {"channel": "C9"}
    assert SECRET_TOKEN.encode() not in redis_db.all_bytes()
    assert redis_db.client().llen(DEAD) == 1
    await queue.close()


async def test_undecryptable_entries_are_dropped_not_crashing(redis_db: RedisServer) -> None:
    queue = make_queue(redis_db)
    await queue.put(Job(text="help"))
    other_key = RedisQueue(
        aioredis.Redis.from_url(redis_db.url), JobCipher("another-key-entirely-123"), block_ms=100
    )
    good = Job(text="help")
    await other_key.put(good)
    # The first entry was sealed with a different key: skipped and removed, the next one served.
    taken = await other_key.take()
    assert taken.id == good.id
    await other_key.done(taken)
    assert redis_db.client().xlen(STREAM) == 0
    await queue.close()
    await other_key.close()


async def test_depth_counts_queued_and_running(redis_db: RedisServer) -> None:
    queue = make_queue(redis_db)
    for _ in range(3):
        await queue.put(Job(text="help"))
    taken = await queue.take()
    assert await queue.depth() == {"queued": 2, "running": 1, "delayed": 0}
    await queue.done(taken)
    await queue.close()


def test_short_job_key_is_refused_with_how_to_make_one() -> None:
    from bot.jobs.crypto import JobKeyError

    with pytest.raises(JobKeyError, match="generate one"):
        JobCipher("short")


async def test_a_retried_put_of_the_same_job_adds_it_once(redis_db: RedisServer) -> None:
    """redis-py re-sends a command whose connection dropped; the job must not run twice."""
    queue = make_queue(redis_db)
    job = Job(text="help", origin={"dedupe": "event:EvRetry"})
    assert await queue.put(job)
    assert await queue.put(job)  # the same job again: accepted, not added
    assert not await queue.put(Job(text="help", origin={"dedupe": "event:EvRetry"}))
    assert redis_db.client().xlen(STREAM) == 1
    await queue.close()
