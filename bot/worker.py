"""The worker loop: take a job, run its checks, send the result, acknowledge the job.

The same loop serves the in-process queue (CLI, `serve` without Redis) and the Redis queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.jobs import Job
from bot.queue import JobQueue
from bot.sinks import ReplySink
from handlers.base import CheckContext, UsageError
from handlers.grammar import parse
from handlers.model import Finding, Report, Severity
from handlers.registry import Registry
from handlers.runner import run_invocation

log = logging.getLogger("authcheck.worker")


class Worker:
    def __init__(
        self,
        queue: JobQueue,
        registry: Registry,
        context_factory: Callable[[], CheckContext],
        sink: ReplySink,
        concurrency: int = 8,
    ) -> None:
        self.queue = queue
        self.registry = registry
        self.context_factory = context_factory
        self.sink = sink
        self.concurrency = concurrency

    async def handle(self, job: Job) -> Report:
        """Runs one job to its report and delivers it; never raises for a bad job."""
        ctx = self.context_factory()
        ctx.registry = self.registry
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

        report = await run_invocation(inv, ctx, on_progress=progress)
        await self.sink.finished(job, report)
        log.info(
            "job done", extra={"job": job.id, "command": report.command, "status": report.status}
        )
        return report

    async def run_once(self) -> Report:
        job = await self.queue.take()
        try:
            return await self.handle(job)
        finally:
            await self.queue.done(job)

    async def run_forever(self) -> None:
        """`concurrency` jobs at a time until cancelled."""

        async def lane() -> None:
            while True:
                await self.run_once()

        await asyncio.gather(*(lane() for _ in range(self.concurrency)))
