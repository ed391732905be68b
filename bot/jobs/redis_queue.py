"""At-least-once job delivery over Redis Streams consumer groups.

Why Streams: a job read by a worker stays in the group's pending list until acknowledged, so a
worker killed mid-job does not lose it — another worker claims it once it has been idle longer
than the visibility timeout (running workers `touch` their jobs to stay the owner). Payloads are
encrypted (they hold tokens), deleted from the stream once done, and trimmed once expired, so no
secret outlives its job in Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
import uuid
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from bot.jobs.crypto import JobCipher
from bot.jobs.job import Job
from bot.jobs.queue import dead_letter_record

STREAM = "authcheck:jobs"
GROUP = "authcheck-workers"
ATTEMPTS = "authcheck:attempts"
DELAYED = "authcheck:delayed"
DEAD = "authcheck:dead"
DEDUPE_PREFIX = "authcheck:dedupe:"
JOB_PREFIX = "authcheck:job:"
DEDUPE_TTL = 3600
DEAD_KEEP = 1000
#: A put runs before the user hears anything: bounded so a hung Redis means "try again" in
#: seconds, not redis-py's socket timeout times its retries.
PUT_TIMEOUT = 1.0

#: KEYS: job marker, stream, [dedupe key]; ARGV: payload, marker ttl, trim min id, job id,
#: dedupe ttl, group, deadline (ms on Redis' clock). Returns 1 (added), 2 (this job was added
#: before: a retried call), 0 (duplicate), 3 (too late: the caller stopped waiting, told the
#: user to try again, and a hung Redis resuming must not run the job anyway). The group is
#: (re)created with the entry, so a Redis that lost its data (FLUSHALL, restart without
#: persistence) never holds a job that no group will deliver.
_PUT = """
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[7]) then
  return 3
end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then return 2 end
if KEYS[3] and not redis.call('SET', KEYS[3], ARGV[4], 'NX', 'EX', ARGV[5]) then return 0 end
redis.pcall('XGROUP', 'CREATE', KEYS[2], ARGV[6], '0', 'MKSTREAM')
redis.call('XADD', KEYS[2], '*', 'payload', ARGV[1])
redis.call('XTRIM', KEYS[2], 'MINID', '~', ARGV[3])
return 1
"""

_MOVE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 50)
for _, payload in ipairs(due) do
  if redis.call('ZREM', KEYS[1], payload) == 1 then
    redis.call('XADD', KEYS[2], '*', 'payload', payload)
  end
end
return #due
"""


class RedisQueue:
    def __init__(
        self,
        client: aioredis.Redis,
        cipher: JobCipher,
        *,
        visibility_seconds: float = 60.0,
        ttl_seconds: float = 900.0,
        consumer: str | None = None,
        block_ms: int = 1000,
        put_timeout: float = PUT_TIMEOUT,
    ) -> None:
        self.redis = client
        self.cipher = cipher
        self.visibility_ms = int(visibility_seconds * 1000)
        self.ttl_seconds = ttl_seconds
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.block_ms = block_ms
        self.put_timeout = put_timeout
        #: Redis' clock minus ours, learnt on first use, so a put's deadline is on Redis' clock.
        self._clock_offset: float | None = None
        self._entries: dict[str, str] = {}
        self._group_ready = False
        self._move_due = self.redis.register_script(_MOVE_DUE)
        self._put = self.redis.register_script(_PUT)

    @classmethod
    def from_url(cls, url: str, cipher: JobCipher, **kwargs: Any) -> RedisQueue:
        client = aioredis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        return cls(client, cipher, **kwargs)

    async def _ensure_group(self, force: bool = False) -> None:
        if self._group_ready and not force:
            return
        try:
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def ready(self) -> bool:
        """Reachable *and* able to deliver: the consumer group exists (recreated here if Redis
        lost it), so /readyz does not say ready while every read fails with NOGROUP."""
        if not await self.ping():
            return False
        await self._ensure_group(force=True)
        return True

    async def put(self, job: Job) -> bool:
        """Idempotent: a put redis-py retries after a dropped connection (Redis restarting) finds
        its job marker and adds nothing twice; a Slack retry (same dedupe key, new job) is
        refused. One Lua script, so marker, dedupe key and stream entry are all or nothing.

        Bounded by `put_timeout` (TimeoutError), and the script refuses to add anything once
        that time has passed on Redis' clock: a Redis paused (SIGSTOP, a stalled disk) that
        resumes later runs the buffered call as a no-op instead of starting a job whose user
        was already told to try again."""
        async with asyncio.timeout(self.put_timeout):
            answer = await self._put_once(job)
        if answer == 3:
            raise TimeoutError("the job queue answered after the put's deadline")
        return answer != 0

    async def _offset(self) -> float:
        if self._clock_offset is None:
            seconds, micros = await self.redis.time()
            self._clock_offset = seconds + micros / 1e6 - time.time()
        return self._clock_offset

    async def _put_once(self, job: Job) -> int:
        deadline_ms = int((time.time() + await self._offset() + self.put_timeout) * 1000)
        keys = [JOB_PREFIX + job.id, STREAM]
        dedupe = job.origin.get("dedupe")
        if dedupe:
            keys.append(DEDUPE_PREFIX + dedupe)
        payload = self.cipher.seal(job.to_dict())
        min_id = int((time.time() - self.ttl_seconds) * 1000)
        answer = await self._put(
            keys=keys,
            args=[
                payload,
                int(self.ttl_seconds) + 60,
                min_id,
                job.id,
                DEDUPE_TTL,
                GROUP,
                deadline_ms,
            ],
        )
        return int(answer)

    def _decode(self, entry_id: bytes | str, fields: dict[Any, Any]) -> Job | None:
        raw = fields.get(b"payload") or fields.get("payload")
        if raw is None:
            return None
        job = Job.from_dict(self.cipher.open(raw))
        self._entries[job.id] = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        return job

    async def _claim_stale(self) -> list[tuple[Any, dict[Any, Any]]]:
        result = await self.redis.xautoclaim(
            STREAM, GROUP, self.consumer, min_idle_time=self.visibility_ms, start_id="0-0", count=1
        )
        messages = result[1] if len(result) > 1 else []
        return [m for m in messages if m and m[1]]

    async def take(self, wait_seconds: float | None = None) -> Job | None:
        await self._ensure_group()
        deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                return None
            block = self.block_ms
            if deadline is not None:
                block = max(1, min(block, int((deadline - time.monotonic()) * 1000)))
            await self._move_due(keys=[DELAYED, STREAM], args=[time.time()])
            try:
                messages = await self._claim_stale()
                if not messages:
                    answer: Any = await self.redis.xreadgroup(
                        GROUP, self.consumer, {STREAM: ">"}, count=1, block=block
                    )
                    messages = [m for _, batch in answer or [] for m in batch]
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                # Redis lost the group (FLUSHALL, restart without persistence): recreate it
                # from id 0 so entries added since are delivered, and read again.
                self._entries.clear()
                await self._ensure_group(force=True)
                continue
            for entry_id, fields in messages:
                try:
                    job = self._decode(entry_id, fields)
                except ValueError:
                    job = None
                if job is None:  # undecryptable or empty: nothing anyone could run
                    await self.redis.xack(STREAM, GROUP, entry_id)
                    await self.redis.xdel(STREAM, entry_id)
                    continue
                job.attempts = int(await self.redis.hincrby(ATTEMPTS, job.id, 1))
                return job

    async def touch(self, job: Job) -> None:
        entry = self._entries.get(job.id)
        if entry:
            await self.redis.xclaim(
                STREAM, GROUP, self.consumer, min_idle_time=0, message_ids=[entry], justid=True
            )

    async def _forget(self, job: Job) -> None:
        entry = self._entries.pop(job.id, None)
        async with self.redis.pipeline(transaction=True) as pipe:
            if entry:
                pipe.xack(STREAM, GROUP, entry)
                pipe.xdel(STREAM, entry)
            pipe.hdel(ATTEMPTS, job.id)
            await pipe.execute()

    async def done(self, job: Job) -> None:
        await self._forget(job)

    async def retry(self, job: Job, delay: float) -> None:
        entry = self._entries.pop(job.id, None)
        payload = self.cipher.seal(job.to_dict())
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(DELAYED, {payload: time.time() + delay})
            if entry:
                pipe.xack(STREAM, GROUP, entry)
                pipe.xdel(STREAM, entry)
            await pipe.execute()

    async def release(self, job: Job) -> None:
        """Back on the stream as a new entry (delivered to the next reader at once) and off
        this consumer's pending list; the attempt it used is given back too."""
        entry = self._entries.pop(job.id, None)
        payload = self.cipher.seal(job.to_dict())
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(STREAM, {"payload": payload})
            if entry:
                pipe.xack(STREAM, GROUP, entry)
                pipe.xdel(STREAM, entry)
            pipe.hincrby(ATTEMPTS, job.id, -1)
            await pipe.execute()

    async def dead(self, job: Job, reason: str) -> None:
        record = json.dumps(dead_letter_record(job, reason))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(DEAD, record)
            pipe.ltrim(DEAD, 0, DEAD_KEEP - 1)
            await pipe.execute()
        await self._forget(job)

    async def dead_letters(self) -> list[dict[str, Any]]:
        return [json.loads(r) for r in await self.redis.lrange(DEAD, 0, -1)]

    async def depth(self) -> dict[str, int]:
        """Queued, pending (taken, not done) and delayed counts, for metrics and App Home."""
        await self._ensure_group()
        length = await self.redis.xlen(STREAM)
        pending = await self.redis.xpending(STREAM, GROUP)
        delayed = await self.redis.zcard(DELAYED)
        in_progress = int(pending.get("pending", 0)) if isinstance(pending, dict) else 0
        return {
            "queued": int(length) - in_progress,
            "running": in_progress,
            "delayed": int(delayed),
        }

    async def close(self) -> None:
        await self.redis.aclose()
