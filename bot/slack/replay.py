"""Rejects a signed Slack request seen before (replay protection).

Bolt checks the signature and that the timestamp is less than five minutes off, which still lets
anyone who captured one request (a proxy log, a debugging dump) send it again within that window
and re-run the command as its author. Each accepted `(timestamp, signature)` is remembered for
the whole window: in Redis when the bot has it (so every replica sees it), otherwise in memory.
Only requests whose signature is valid are remembered, so forged requests cannot poison the
store. The in-memory record is kept even when Redis answers: a `FLUSHALL`, a failover to an empty
replica or a Redis restarted without persistence loses the shared record, and the process that
saw the original must still refuse its replay. That record is bounded (`MAX_REMEMBERED`, oldest
dropped first) so a flood of signed requests cannot grow it without end.

The same verifier also answers `is_signed` for the HTTP route, which must refuse an unsigned or
malformed request before anything parses its body (Bolt parses first and answers 500 to `{`).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from slack_sdk.signature import Clock, SignatureVerifier

#: Bolt accepts timestamps up to 5 minutes off either way, so one request is valid for up to 10.
WINDOW_SECONDS = 600
KEY_PREFIX = "authcheck:replay:"
#: How long the shared record may take before the in-process one answers alone: this runs before
#: the ack, and a hung Redis must not hold the ack past Slack's 3 s.
REDIS_TIMEOUT = 0.5
#: After Redis failed or timed out, the in-process record answers alone for this long, so a hung
#: Redis costs one request REDIS_TIMEOUT, not every request.
REDIS_BACKOFF = 5.0
#: In-process record size cap: about 100 bytes an entry, so a few MB at most. Slack sends far
#: fewer than this many requests to one process in ten minutes.
MAX_REMEMBERED = 50_000


class ReplayGuard:
    def __init__(
        self,
        signing_secret: str,
        redis: aioredis.Redis | None = None,
        clock: Callable[[], float] = time.time,
        max_remembered: int = MAX_REMEMBERED,
    ) -> None:
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))
        self.redis = redis
        self.clock = clock
        self.max_remembered = max_remembered
        self._skip_redis_until = 0.0
        #: key -> expiry, in insertion order; expiries grow with insertion (same window).
        self._seen: OrderedDict[str, float] = OrderedDict()

    def is_signed(self, body: bytes, headers: Mapping[str, Any]) -> bool:
        """Slack's signature over this exact body, with a timestamp inside Slack's window.

        Never raises: a missing, non-numeric or huge timestamp is simply not signed.
        """
        timestamp = str(headers.get("X-Slack-Request-Timestamp") or "")
        signature = str(headers.get("X-Slack-Signature") or "")
        if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
            return False
        try:
            return self.verifier.is_valid(body, timestamp, signature)
        except (ValueError, OverflowError):
            return False

    @staticmethod
    def _key(timestamp: str, signature: str) -> str:
        return hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()

    async def is_replay(self, body: bytes, headers: Mapping[str, Any]) -> bool:
        """True when this validly signed request was already accepted once.

        A request that fails signature or age checks is not judged here: Bolt rejects it.
        """
        if not self.is_signed(body, headers):
            return False
        timestamp = str(headers.get("X-Slack-Request-Timestamp") or "")
        signature = str(headers.get("X-Slack-Signature") or "")
        key = self._key(timestamp, signature)
        # In-process first: it holds even when Redis lost its data or is down.
        seen_here = not self._remember(key)
        if self.redis is not None and time.monotonic() >= self._skip_redis_until:
            try:
                async with asyncio.timeout(REDIS_TIMEOUT):
                    fresh = await self.redis.set(KEY_PREFIX + key, b"1", nx=True, ex=WINDOW_SECONDS)
                return seen_here or not fresh
            except (RedisError, OSError, TimeoutError):
                self._skip_redis_until = time.monotonic() + REDIS_BACKOFF
        return seen_here

    def _remember(self, key: str) -> bool:
        """True when `key` is new here (and is now remembered). Expired entries leave from the
        front in O(1) each; past `max_remembered` the oldest go first."""
        now = self.clock()
        while self._seen:
            oldest, until = next(iter(self._seen.items()))
            if until > now and len(self._seen) < self.max_remembered:
                break
            del self._seen[oldest]
        if key in self._seen:
            return False
        self._seen[key] = now + WINDOW_SECONDS
        return True


class _Clock(Clock):
    """slack_sdk's verifier takes an object with `now()`."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock()
