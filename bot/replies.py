"""Remembers which Slack message answers which job, so a re-run job edits it instead of
posting a second answer (posting is idempotent across worker crashes)."""

from __future__ import annotations

from typing import Protocol

import redis.asyncio as aioredis

REPLY_PREFIX = "authcheck:reply:"
REPLY_TTL = 86_400


class ReplyIndex(Protocol):
    async def get(self, job_id: str) -> str | None: ...

    async def claim(self, job_id: str, ts: str) -> str:
        """Records `ts` unless another is recorded; returns the one that counts."""
        ...


class MemoryReplyIndex:
    def __init__(self) -> None:
        self._ts: dict[str, str] = {}

    async def get(self, job_id: str) -> str | None:
        return self._ts.get(job_id)

    async def claim(self, job_id: str, ts: str) -> str:
        return self._ts.setdefault(job_id, ts)


class RedisReplyIndex:
    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client

    async def get(self, job_id: str) -> str | None:
        value = await self.redis.get(REPLY_PREFIX + job_id)
        return value.decode() if isinstance(value, bytes) else value

    async def claim(self, job_id: str, ts: str) -> str:
        if await self.redis.set(REPLY_PREFIX + job_id, ts, nx=True, ex=REPLY_TTL):
            return ts
        return await self.get(job_id) or ts
