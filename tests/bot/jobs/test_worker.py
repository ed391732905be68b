"""The worker's delivery policy with the in-process queue: ack after delivery, retry, dead
letter, expiry, progress — through real checks (`help`), no patched internals."""

from __future__ import annotations

import asyncio
import time

from bot.jobs.job import Job
from bot.jobs.queue import InProcessQueue
from bot.jobs.sinks import CollectingSink
from bot.jobs.worker import Worker, backoff
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.model import Report, Severity
from handlers.core.settings import Settings


class FlakySink(CollectingSink):
    """Fails the first `failures` deliveries, like a Slack API that is down for a moment."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures_left = failures
        self.delivered: list[str] = []
        self.started_calls = 0

    async def started(self, job: Job, command: str, checks: int) -> None:
        self.started_calls += 1

    async def finished(self, job: Job, report: Report) -> None:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise ConnectionError("slack is down")
        self.delivered.append(job.id)
        await super().finished(job, report)


def make_worker(queue: InProcessQueue, sink: CollectingSink, **kwargs: float) -> Worker:
    return Worker(
        queue,
        default_registry(),
        lambda: CheckContext(settings=Settings()),
        sink,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_delivered_job_is_acknowledged() -> None:
    queue, sink = InProcessQueue(), FlakySink(0)
    worker = make_worker(queue, sink)
    job = Job(text="help")
    await queue.put(job)
    report = await worker.run_once()
    assert report is not None
    assert report.command == "help"
    assert sink.delivered == [job.id]
    assert queue.in_flight == {}


async def test_failed_delivery_is_retried_then_delivered_once() -> None:
    queue, sink = InProcessQueue(), FlakySink(1)
    worker = make_worker(queue, sink)
    job = Job(text="help")
    await queue.put(job)
    assert await worker.run_once() is None  # delivery failed: back on the queue with backoff
    report = await asyncio.wait_for(worker.run_once(), timeout=10)
    assert report is not None
    assert sink.delivered == [job.id]
    assert job.attempts == 2


async def test_job_failing_too_often_goes_to_dead_letters_and_the_thread_is_told() -> None:
    queue, sink = InProcessQueue(), FlakySink(100)
    worker = make_worker(queue, sink, max_attempts=1)
    job = Job(text="help", origin={"channel": "C1"})
    await queue.put(job)
    await worker.run_once()
    await asyncio.wait_for(worker.run_once(), timeout=10)
    assert queue.dead_letters
    assert queue.dead_letters[0]["id"] == job.id
    assert "text" not in queue.dead_letters[0]
    assert "failed 1 times" in sink.failures[job.id]


async def test_expired_job_is_answered_not_run() -> None:
    queue, sink = InProcessQueue(), FlakySink(0)
    worker = make_worker(queue, sink, ttl_seconds=60)
    job = Job(text="help", created=time.time() - 3600)
    await queue.put(job)
    assert await worker.run_once() is None
    assert sink.started_calls == 0
    assert "expired" in sink.failures[job.id]
    assert queue.in_flight == {}


async def test_unparseable_job_gets_a_usage_answer_not_a_crash() -> None:
    queue, sink = InProcessQueue(), FlakySink(0)
    worker = make_worker(queue, sink)
    job = Job(text="no-such-command at all")
    await queue.put(job)
    report = await worker.run_once()
    assert report is not None
    assert report.status is Severity.ERROR
    assert "unknown command" in report.findings[0].title


async def test_run_forever_serves_several_jobs_concurrently() -> None:
    queue, sink = InProcessQueue(), FlakySink(0)
    worker = make_worker(queue, sink, concurrency=3)
    jobs = [Job(text="help") for _ in range(5)]
    for job in jobs:
        await queue.put(job)
    task = asyncio.create_task(worker.run_forever())
    reports = await asyncio.wait_for(asyncio.gather(*(sink.wait(j.id) for j in jobs)), 10)
    worker.stop()
    await asyncio.wait_for(task, timeout=10)
    assert [r.command for r in reports] == ["help"] * 5
    assert sorted(sink.delivered) == sorted(j.id for j in jobs)


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert backoff(50) == 30.0


async def test_a_command_over_the_job_timeout_is_an_error_not_a_verdict() -> None:
    queue, sink = InProcessQueue(), FlakySink(0)
    # `help` answers at once; a zero-length budget still stops the command before it ran.
    worker = make_worker(queue, sink, job_timeout=0.0)
    job = Job(text="help")
    await queue.put(job)
    report = await worker.run_once()
    assert report is not None
    assert report.status is Severity.ERROR
    assert "did not finish" in report.findings[0].title
    assert sink.delivered == [job.id]
