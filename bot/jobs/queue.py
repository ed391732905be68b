"""The queue between whoever accepts a command and the worker that runs it.

The in-process queue is used when no REDIS_URL is set (the CLI, a laptop, the README's demo); the
worker code does not know which queue it is reading from.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from bot.jobs.job import Job


class JobQueue(Protocol):
    async def put(self, job: Job) -> bool:
        """Enqueues; False when a job with the same dedupe key was already accepted."""
        ...

    async def take(self, wait_seconds: float | None = None) -> Job | None:
        """Waits for the next job (None after `wait_seconds` without one); the job stays
        owned by the caller until `done`."""
        ...

    async def touch(self, job: Job) -> None:
        """Tells the queue the job is still being worked on (keeps others from taking it)."""
        ...

    async def done(self, job: Job) -> None: ...

    async def retry(self, job: Job, delay: float) -> None:
        """Gives the job back to be taken again after `delay` seconds."""
        ...

    async def dead(self, job: Job, reason: str) -> None:
        """Sets a job aside for good; keeps no secret from it."""
        ...

    async def release(self, job: Job) -> None:
        """Gives a job in hand back now, not counted as an attempt (a worker stopping)."""
        ...

    async def close(self) -> None: ...


def dead_letter_record(job: Job, reason: str) -> dict[str, Any]:
    """What is kept of a dead job: where it came from and why, never its text."""
    return {
        "id": job.id,
        "command": job.text.split(" ", 1)[0][:40] if job.text else "",
        "origin": job.origin,
        "attempts": job.attempts,
        "reason": reason[:300],
    }


class InProcessQueue:
    """asyncio.Queue behind the JobQueue protocol; lives and dies with the process."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._seen: set[str] = set()
        self.in_flight: dict[str, Job] = {}
        self.dead_letters: list[dict[str, Any]] = []
        self._delayed: set[asyncio.Task[None]] = set()

    async def put(self, job: Job) -> bool:
        key = job.origin.get("dedupe")
        if key:
            if key in self._seen:
                return False
            self._seen.add(key)
        await self._queue.put(job)
        return True

    async def take(self, wait_seconds: float | None = None) -> Job | None:
        try:
            job = await asyncio.wait_for(self._queue.get(), wait_seconds)
        except TimeoutError:
            return None
        job.attempts += 1
        self.in_flight[job.id] = job
        return job

    async def touch(self, job: Job) -> None:
        return None

    async def done(self, job: Job) -> None:
        if self.in_flight.pop(job.id, None) is not None:
            self._queue.task_done()

    async def retry(self, job: Job, delay: float) -> None:
        await self.done(job)

        async def later() -> None:
            await asyncio.sleep(delay)
            await self._queue.put(job)

        task = asyncio.create_task(later())
        self._delayed.add(task)
        task.add_done_callback(self._delayed.discard)

    async def dead(self, job: Job, reason: str) -> None:
        self.dead_letters.append(dead_letter_record(job, reason))
        await self.done(job)

    async def release(self, job: Job) -> None:
        await self.done(job)
        job.attempts = max(job.attempts - 1, 0)
        self._queue.put_nowait(job)

    async def close(self) -> None:
        for task in self._delayed:
            task.cancel()
