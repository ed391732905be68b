"""The worker loop: take a job, run its checks, send the result, acknowledge the job.

The same loop serves the in-process queue (CLI, `serve` without Redis) and the Redis queue. A job
is acknowledged only after its answer is delivered; if delivery fails it is retried with backoff,
and after `max_attempts` it is set aside (dead letter) and the thread is told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from bot.audit import audit
from bot.jobs.job import Job
from bot.jobs.queue import JobQueue
from bot.jobs.sinks import ReplySink, Undeliverable
from bot.metrics import CHECK_SECONDS, JOBS_DONE, JOBS_FAILED, JOBS_RUNNING
from handlers.core.check import CheckContext, UsageError
from handlers.core.describe import target
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.registry import Registry
from handlers.core.runner import run_invocation

log = logging.getLogger("authcheck.worker")

ReportHook = Callable[[Job, Report], Report]
#: How long a stopping worker tries to give a job back before leaving it to the idle timeout.
HAND_BACK_SECONDS = 3.0


def backoff(attempt: int, base: float = 1.0, cap: float = 30.0) -> float:
    return float(min(cap, base * 2 ** max(attempt - 1, 0)))


class Worker:
    def __init__(
        self,
        queue: JobQueue,
        registry: Registry,
        context_factory: Callable[[], CheckContext],
        sink: ReplySink,
        *,
        concurrency: int = 8,
        max_attempts: int = 3,
        ttl_seconds: float = 900.0,
        heartbeat_seconds: float = 10.0,
        job_timeout: float = 120.0,
        hooks: tuple[ReportHook, ...] = (),
    ) -> None:
        self.queue = queue
        self.registry = registry
        self.context_factory = context_factory
        self.sink = sink
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.ttl_seconds = ttl_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.job_timeout = job_timeout
        self.hooks = hooks
        self._stopping = asyncio.Event()
        self._running: set[asyncio.Task[Report | None]] = set()

    async def handle(self, job: Job) -> Report:
        """Runs one job to its report and delivers it; raises only if delivery fails."""
        ctx = self.context_factory()
        ctx.registry = self.registry
        ctx.private = dict(job.private)
        for value in job.private.values():
            ctx.redactor.add(value)
        try:
            inv = parse(job.text, self.registry)
        except UsageError as exc:
            report = Report(
                command="usage",
                findings=[Finding("usage", Severity.ERROR, exc.reason, f"usage: {exc.usage}")],
            )
            await self.sink.finished(job, report)
            return report
        await self.sink.started(job, inv.command.name, len(inv.command.checks))

        async def progress(report: Report, pending: int) -> None:
            if pending:
                await self.sink.progress(job, report, pending)

        started = time.monotonic()
        try:
            async with asyncio.timeout(self.job_timeout):
                report = await run_invocation(inv, ctx, on_progress=progress)
        except TimeoutError:
            report = Report(
                command=inv.command.name,
                findings=[
                    Finding(
                        "job",
                        Severity.ERROR,
                        f"`{inv.command.name}` did not finish within {self.job_timeout:g} s",
                        "The whole command was stopped; no check result is a verdict.",
                        "Retry; if it keeps happening, raise AUTHCHECK_JOB_TIMEOUT or check "
                        "what the bot cannot reach (App Home shows it).",
                    )
                ],
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        CHECK_SECONDS.labels(inv.command.name).observe(time.monotonic() - started)
        for hook in self.hooks:
            report = hook(job, report)
        await self.sink.finished(job, report)
        audit(
            "command.done",
            job=job.id,
            user=job.origin.get("user"),
            channel=job.origin.get("channel"),
            thread=job.origin.get("thread_ts"),
            source=job.origin.get("source"),
            command=inv.command.name,
            target=ctx.redactor.text(target(inv) or "") or None,
            outcome=report.status.value,
            duration_ms=report.duration_ms,
            attempt=job.attempts,
        )
        return report

    async def _heartbeat(self, job: Job) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            with contextlib.suppress(Exception):
                await self.queue.touch(job)

    async def process(self, job: Job) -> Report | None:
        """Applies the delivery policy around `handle`: expiry, attempts, retry, ack."""
        if job.age() > self.ttl_seconds:
            with contextlib.suppress(Exception):
                await self.sink.failed(job, "expired before a worker could run it")
            await self.queue.done(job)
            JOBS_DONE.labels("expired").inc()
            return None
        if job.attempts > self.max_attempts:
            with contextlib.suppress(Exception):
                await self.sink.failed(job, f"failed {job.attempts - 1} times")
            await self.queue.dead(job, "too many attempts")
            JOBS_DONE.labels("dead").inc()
            audit("command.dead", job=job.id, channel=job.origin.get("channel"))
            return None
        beat = asyncio.create_task(self._heartbeat(job))
        JOBS_RUNNING.inc()
        try:
            report = await self.handle(job)
        except Undeliverable as exc:  # the channel takes no message: end it, unrun, no retry
            JOBS_DONE.labels("undeliverable").inc()
            audit("command.undeliverable", job=job.id, channel=job.origin.get("channel"))
            log.warning("job %s: %s", job.id, exc)
            await self.queue.done(job)
            return None
        except Exception as exc:  # delivery failed; the job goes back with backoff
            JOBS_FAILED.labels(type(exc).__name__).inc()
            log.warning("job %s attempt %d failed: %s", job.id, job.attempts, type(exc).__name__)
            await self.queue.retry(job, backoff(job.attempts))
            return None
        finally:
            beat.cancel()
            JOBS_RUNNING.dec()
        await self.queue.done(job)
        JOBS_DONE.labels(report.status.value).inc()
        return report

    async def _hand_back(self, job: Job) -> None:
        """Best effort and bounded: if the queue cannot take it back now, the job is still
        pending there and is reclaimed after the visibility timeout."""
        try:
            async with asyncio.timeout(HAND_BACK_SECONDS):
                await self.queue.release(job)
            JOBS_DONE.labels("handed_back").inc()
            log.info("job %s handed back to the queue", job.id)
        except Exception as exc:
            log.warning("job %s: could not hand back (%s)", job.id, type(exc).__name__)

    async def run_once(self) -> Report | None:
        job = await self.queue.take()
        return None if job is None else await self.process(job)

    def stop(self, hand_back: bool = True) -> None:
        """Lanes stop taking jobs and leave within `poll` seconds. With `hand_back` (SIGTERM:
        a rolling restart) the jobs in hand are stopped and given back to the queue at once,
        so another worker runs them now instead of after the visibility timeout; a re-run
        edits the same reply (bot/replies.py), so nobody gets two answers. Without it, the
        jobs in hand are finished first."""
        self._stopping.set()
        if hand_back:
            for task in list(self._running):
                task.cancel()

    async def run_forever(self, poll: float = 1.0) -> None:
        """`concurrency` jobs at a time until `stop()`; a broken queue read is retried."""

        async def lane() -> None:
            while not self._stopping.is_set():
                try:
                    job = await self.queue.take(wait_seconds=poll)
                except Exception as exc:
                    log.warning("queue read failed: %s; retrying", type(exc).__name__)
                    await asyncio.sleep(poll)
                    continue
                if job is None:
                    continue
                task = asyncio.create_task(self.process(job))
                self._running.add(task)
                try:
                    await asyncio.wait({task})
                except asyncio.CancelledError:
                    task.cancel()
                    await self._hand_back(job)
                    raise
                finally:
                    self._running.discard(task)
                if task.cancelled():
                    await self._hand_back(job)
                    continue
                try:
                    task.result()
                except Exception as exc:
                    # The queue itself failed (Redis restarting): the job is still pending there
                    # and will be claimed again after the visibility timeout. The lane lives on.
                    JOBS_FAILED.labels("queue_" + type(exc).__name__).inc()
                    log.warning("job %s: queue update failed: %s", job.id, type(exc).__name__)
                    await asyncio.sleep(poll)

        self._stopping.clear()
        await asyncio.gather(*(lane() for _ in range(self.concurrency)))
