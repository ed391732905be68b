"""Where a worker sends a job's progress and result: Slack thread, terminal, or a test."""

from __future__ import annotations

import asyncio
from typing import Protocol

from bot.jobs.job import Job
from handlers.core.model import Report


class Undeliverable(Exception):
    """No answer can ever be delivered for this job (Slack refuses the channel): the worker
    finishes it without running or retrying it; whoever raised it has told the person."""


class ReplySink(Protocol):
    async def started(self, job: Job, command: str, checks: int) -> None: ...

    async def progress(self, job: Job, report: Report, pending: int) -> None: ...

    async def finished(self, job: Job, report: Report) -> None: ...

    async def failed(self, job: Job, reason: str) -> None:
        """The job will not be answered normally (expired, set aside after repeated failures)."""
        ...


class CollectingSink:
    """Keeps final reports for whoever waits on them (the CLI, tests)."""

    def __init__(self) -> None:
        self._results: dict[str, asyncio.Future[Report]] = {}
        self.failures: dict[str, str] = {}

    def _future(self, job_id: str) -> asyncio.Future[Report]:
        if job_id not in self._results:
            self._results[job_id] = asyncio.get_running_loop().create_future()
        return self._results[job_id]

    async def started(self, job: Job, command: str, checks: int) -> None:
        return None

    async def progress(self, job: Job, report: Report, pending: int) -> None:
        return None

    async def finished(self, job: Job, report: Report) -> None:
        future = self._future(job.id)
        if not future.done():
            future.set_result(report)

    async def failed(self, job: Job, reason: str) -> None:
        self.failures[job.id] = reason

    async def wait(self, job_id: str) -> Report:
        return await self._future(job_id)
