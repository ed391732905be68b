"""Outbound pacing per Slack channel.

Slack allows about one message per second per channel with short bursts; an incident storm of
commands in one channel must queue politely instead of collecting 429s. Final answers wait for a
slot; progress updates only take a free one, so in a busy channel they are skipped, not queued.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class ChannelPacer:
    """A token bucket per channel: `rate` messages per second, `burst` at once."""

    def __init__(
        self,
        rate: float = 1.0,
        burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens: dict[str, float] = {}
        self._stamp: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _refill(self, channel: str) -> float:
        now = self._clock()
        last = self._stamp.get(channel, now)
        tokens = min(self.burst, self._tokens.get(channel, self.burst) + (now - last) * self.rate)
        self._tokens[channel] = tokens
        self._stamp[channel] = now
        return tokens

    def try_acquire(self, channel: str) -> bool:
        if self._refill(channel) >= 1:
            self._tokens[channel] -= 1
            return True
        return False

    async def acquire(self, channel: str) -> None:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:  # first come, first served within a channel
            while not self.try_acquire(channel):
                missing = 1 - self._tokens[channel]
                await asyncio.sleep(max(missing / self.rate, 0.01))

    def penalise(self, channel: str, seconds: float) -> None:
        """After a 429 with Retry-After, spend the bucket so nothing else goes out early."""
        self._refill(channel)
        self._tokens[channel] = min(self._tokens[channel], 0) - seconds * self.rate
