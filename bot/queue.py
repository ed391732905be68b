"""The queue between whoever accepts a command and the worker that runs it.

The in-process queue is used when no REDIS_URL is set (the CLI, a laptop, the README's demo); the
worker code does not know which queue it is reading from.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from bot.jobs import Job


class JobQueue(Protocol):
    async def put(self, job: Job) -> None: ...

    async def take(self) -> Job:
        """Waits for the next job; the job stays owned by the caller until `done`."""
        ...

    async def done(self, job: Job) -> None: ...

    async def close(self) -> None: ...


class InProcessQueue:
    """asyncio.Queue behind the JobQueue protocol; lives and dies with the process."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self.in_flight: dict[str, Job] = {}

    async def put(self, job: Job) -> None:
        await self._queue.put(job)

    async def take(self) -> Job:
        job = await self._queue.get()
        job.attempts += 1
        self.in_flight[job.id] = job
        return job

    async def done(self, job: Job) -> None:
        self.in_flight.pop(job.id, None)
        self._queue.task_done()

    async def close(self) -> None:
        return None

    def qsize(self) -> int:
        return self._queue.qsize()
