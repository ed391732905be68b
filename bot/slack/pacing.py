"""Outbound pacing per Slack channel.

Slack allows about one message per second per channel with short bursts; an incident storm of
commands in one channel must queue politely instead of collecting 429s. Final answers (and the
parent message a command's thread hangs off) wait for a slot; progress updates only take a free
one, so in a busy channel they are skipped, not queued.

The bot process posts parents and the workers post answers into the same channels, so with Redis
the budget lives in Redis (`RedisChannelPacer`) and every process spends from one bucket per
channel; without Redis there is one process and `ChannelPacer` keeps it in memory. Both run a
GCRA (the token bucket expressed as a "theoretical arrival time"): `acquire` *reserves* the next
slot and sleeps until it, so waiters are served in the order they asked, across processes, with
no polling. Each process lets only one waiter per channel hold a reservation at a time, so the
bot's parents and the workers' answers alternate instead of a hundred parents booking the next
hundred seconds before any answer. Slots are spaced `headroom` wider than `rate` so network
jitter between us and Slack never makes two messages arrive closer than Slack allows.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("authcheck.pacing")

DEFAULT_BURST = 3
DEFAULT_HEADROOM = 0.05
KEY_PREFIX = "authcheck:pace:"
#: How long one GCRA step may wait for Redis before this process paces alone, and for how long
#: it then stops asking (a hung Redis must not add its socket timeout to every message).
REDIS_TIMEOUT = 0.5
REDIS_BACKOFF = 5.0


class Pacer(Protocol):
    async def try_acquire(self, channel: str) -> bool:
        """Takes a slot if one is free now; never waits (progress updates)."""
        ...

    async def acquire(self, channel: str) -> None:
        """Waits for this channel's next slot (answers, parent messages)."""
        ...


def _interval(rate: float, headroom: float) -> float:
    return (1.0 / rate) * (1.0 + headroom)


class ChannelPacer:
    """In-process GCRA per channel: `rate` messages per second, `burst` at once."""

    def __init__(
        self,
        rate: float = 1.0,
        burst: int = DEFAULT_BURST,
        clock: Callable[[], float] = time.monotonic,
        headroom: float = DEFAULT_HEADROOM,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.interval = _interval(rate, headroom)
        self._clock = clock
        self._tat: dict[str, float] = {}  # theoretical arrival time of the next message
        self._locks: dict[str, asyncio.Lock] = {}

    def take(self, channel: str, reserve: bool) -> float | None:
        """Seconds until the slot just taken (0 = now), or None if `reserve` is false and no
        slot is free now."""
        now = self._clock()
        tat = max(self._tat.get(channel, now), now)
        wait = max(tat - (self.burst - 1) * self.interval - now, 0.0)
        if wait > 0 and not reserve:
            return None
        self._tat[channel] = tat + self.interval
        return wait

    async def try_acquire(self, channel: str) -> bool:
        return self.take(channel, reserve=False) is not None

    async def acquire(self, channel: str) -> None:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:  # first come, first served within a channel
            wait = self.take(channel, reserve=True) or 0.0
            if wait > 0:
                await asyncio.sleep(wait)

    def penalise(self, channel: str, seconds: float) -> None:
        """After a 429 with Retry-After, push the next slot out so nothing goes early."""
        now = self._clock()
        earliest = now + seconds + (self.burst - 1) * self.interval
        self._tat[channel] = max(self._tat.get(channel, now), earliest)


#: GCRA in one atomic step, on Redis' clock (all processes share it). Times in microseconds.
#: KEYS[1] the channel's key; ARGV interval, burst, reserve (1/0). Returns the wait, -1 if
#: reserve is 0 and no slot is free now.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tau = interval * (tonumber(ARGV[2]) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tau - now
if wait < 0 then wait = 0 end
if wait > 0 and ARGV[3] ~= '1' then return -1 end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX',
  math.ceil((next_tat - now) / 1000) + 1000)
return wait
"""


class RedisChannelPacer:
    """The same GCRA with its state in Redis: one budget per channel for bot and workers.

    If Redis cannot be reached the process falls back to its own in-memory pacer, so a Redis
    hiccup slows nothing down that would not fail anyway (the queue is in Redis too).
    """

    def __init__(
        self,
        client: aioredis.Redis,
        rate: float = 1.0,
        burst: int = DEFAULT_BURST,
        headroom: float = DEFAULT_HEADROOM,
    ) -> None:
        self.redis = client
        self.rate = rate
        self.burst = burst
        self.interval_us = math.ceil(_interval(rate, headroom) * 1_000_000)
        self._script = client.register_script(_GCRA)
        self._locks: dict[str, asyncio.Lock] = {}
        self._fallback = ChannelPacer(rate, burst, headroom=headroom)
        self._skip_redis_until = 0.0

    async def _take(self, channel: str, reserve: bool) -> float | None:
        if time.monotonic() < self._skip_redis_until:
            return self._fallback.take(channel, reserve)
        try:
            async with asyncio.timeout(REDIS_TIMEOUT):
                answer = await self._script(
                    keys=[KEY_PREFIX + channel], args=[self.interval_us, self.burst, int(reserve)]
                )
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("pacing falls back to this process only: %s", type(exc).__name__)
            self._skip_redis_until = time.monotonic() + REDIS_BACKOFF
            return self._fallback.take(channel, reserve)
        wait = int(answer)
        return None if wait < 0 else wait / 1_000_000

    async def try_acquire(self, channel: str) -> bool:
        return await self._take(channel, reserve=False) is not None

    async def acquire(self, channel: str) -> None:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:  # one reservation per channel per process at a time
            wait = await self._take(channel, reserve=True) or 0.0
            if wait > 0:
                await asyncio.sleep(wait)
