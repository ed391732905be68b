"""A worker SIGKILLed mid-job: the job completes on another worker, with one answer in the thread.

Real processes: `authcheck worker` subprocesses, a real redis-server, the fake Slack API over HTTP.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
import redis.asyncio as aioredis

from bot.jobs.crypto import JobCipher
from bot.jobs.job import Job
from bot.jobs.redis_queue import STREAM, RedisQueue
from tests.fakes.redis_server import RedisServer
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack

JOB_KEY = "crash-test-job-key-0123456789"
SECRET = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjcmFzaCJ9.Y3Jhc2gtdGVzdC1zaWduYXR1cmUtdmFsdWU"


@pytest.fixture
def spawn_worker(redis_db: RedisServer) -> Iterator[object]:
    processes: list[subprocess.Popen[bytes]] = []

    def spawn(fake: FakeSlack) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.update(
            REDIS_URL=redis_db.url,
            AUTHCHECK_JOB_KEY=JOB_KEY,
            SLACK_BOT_TOKEN=DEFAULT_TOKEN,
            SLACK_API_URL=fake.url,
            AUTHCHECK_HEALTH_PORT="0",
            AUTHCHECK_JOB_VISIBILITY="1",
            AUTHCHECK_WORKER_CONCURRENCY="1",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return process

    yield spawn
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        if process.stdout:
            output = process.stdout.read()
            assert SECRET.encode() not in output, "worker output leaked the token"


async def test_killed_worker_job_is_finished_by_the_next_with_one_answer(
    fake_slack: FakeSlack, redis_db: RedisServer, spawn_worker: object
) -> None:
    queue = RedisQueue(aioredis.Redis.from_url(redis_db.url), JobCipher(JOB_KEY))
    job = Job(
        text=f"decode {SECRET}",
        origin={"channel": "C0CRASH", "thread_ts": "1700000000.000900", "user": "U1"},
    )
    await queue.put(job)
    gate = fake_slack.hold("chat.update")  # the final answer of the first worker stalls...
    first = spawn_worker(fake_slack)  # type: ignore[operator]
    await fake_slack.wait_for(lambda _: fake_slack.held, timeout=30)
    first.send_signal(signal.SIGKILL)  # ...and the worker dies mid-job
    first.wait(10)
    assert redis_db.client().xpending(STREAM, "authcheck-workers")["pending"] == 1

    spawn_worker(fake_slack)  # type: ignore[operator]
    await fake_slack.wait_for(
        lambda calls: any(c.method == "chat.update" and c.ok for c in calls), timeout=30
    )
    for _ in range(100):
        if redis_db.client().xlen(STREAM) == 0:
            break
        await asyncio.sleep(0.1)
    assert redis_db.client().xlen(STREAM) == 0, "the second worker acknowledged the job"
    thread = fake_slack.thread("C0CRASH", "1700000000.000900")
    assert len(thread) == 1, f"one answer in the thread, got {len(thread)}"
    assert "decode" in str(thread[0])
    gate.set()
    assert SECRET not in fake_slack.dump()
    assert SECRET.encode() not in redis_db.all_bytes()
    await queue.close()
