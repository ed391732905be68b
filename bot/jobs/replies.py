"""Remembers which Slack message answers which job, so a re-run job edits it instead of
posting a second answer (posting is idempotent across worker crashes and duplicate runs).

Before posting, a worker reserves the job's reply; a second worker running the same job (a
reclaimed job whose first worker is alive after all) waits for the first one's message and edits
it. A reservation whose poster died expires, so the job can still be answered later.
"""

from __future__ import annotations

from typing import Protocol

import redis.asyncio as aioredis

REPLY_PREFIX = "authcheck:reply:"
REPLY_TTL = 86_400
PENDING = "pending"
#: A reservation older than this belonged to a poster that died; Slack answers in well under it.
RESERVATION_TTL = 60


class ReplyIndex(Protocol):
    async def get(self, job_id: str) -> str | None:
        """The reply's ts, or None when none is recorded (or one is still being posted)."""
        ...

    async def reserve(self, job_id: str) -> bool:
        """True for the one caller that may post the reply now."""
        ...

    async def release(self, job_id: str) -> None:
        """Gives up a reservation whose post failed, so a retry can post."""
        ...

    async def claim(self, job_id: str, ts: str) -> str:
        """Records `ts` for the reservation holder; returns the ts that counts."""
        ...


class MemoryReplyIndex:
    def __init__(self) -> None:
        self._ts: dict[str, str] = {}

    async def get(self, job_id: str) -> str | None:
        value = self._ts.get(job_id)
        return None if value in (None, PENDING) else value

    async def reserve(self, job_id: str) -> bool:
        if job_id in self._ts:
            return False
        self._ts[job_id] = PENDING
        return True

    async def release(self, job_id: str) -> None:
        if self._ts.get(job_id) == PENDING:
            del self._ts[job_id]

    async def claim(self, job_id: str, ts: str) -> str:
        if self._ts.get(job_id) in (None, PENDING):
            self._ts[job_id] = ts
        return self._ts[job_id]


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisReplyIndex:
    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client
        self._release = client.register_script(_RELEASE)

    async def get(self, job_id: str) -> str | None:
        value = await self.redis.get(REPLY_PREFIX + job_id)
        text = value.decode() if isinstance(value, bytes) else value
        return None if text in (None, PENDING) else text

    async def reserve(self, job_id: str) -> bool:
        return bool(
            await self.redis.set(REPLY_PREFIX + job_id, PENDING, nx=True, ex=RESERVATION_TTL)
        )

    async def release(self, job_id: str) -> None:
        await self._release(keys=[REPLY_PREFIX + job_id], args=[PENDING])

    async def claim(self, job_id: str, ts: str) -> str:
        await self.redis.set(REPLY_PREFIX + job_id, ts, ex=REPLY_TTL)
        return ts
