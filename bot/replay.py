"""Rejects a signed Slack request seen before (replay protection).

Bolt checks the signature and that the timestamp is less than five minutes off, which still lets
anyone who captured one request (a proxy log, a debugging dump) send it again within that window
and re-run the command as its author. Each accepted `(timestamp, signature)` is remembered for
the whole window: in Redis when the bot has it (so every replica sees it), otherwise in memory.
Only requests whose signature is valid are remembered, so forged requests cannot poison the
store. If Redis fails, the in-memory store answers rather than letting every request through.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from slack_sdk.signature import Clock, SignatureVerifier

#: Bolt accepts timestamps up to 5 minutes off either way, so one request is valid for up to 10.
WINDOW_SECONDS = 600
KEY_PREFIX = "authcheck:replay:"


class ReplayGuard:
    def __init__(
        self,
        signing_secret: str,
        redis: aioredis.Redis | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))
        self.redis = redis
        self.clock = clock
        self._seen: dict[str, float] = {}

    @staticmethod
    def _key(timestamp: str, signature: str) -> str:
        return hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()

    async def is_replay(self, body: bytes, headers: Mapping[str, Any]) -> bool:
        """True when this validly signed request was already accepted once.

        A request that fails signature or age checks is not judged here: Bolt rejects it.
        """
        timestamp = str(headers.get("X-Slack-Request-Timestamp") or "")
        signature = str(headers.get("X-Slack-Signature") or "")
        if not timestamp or not signature:
            return False
        if not self.verifier.is_valid(body, timestamp, signature):
            return False
        key = self._key(timestamp, signature)
        if self.redis is not None:
            try:
                fresh = await self.redis.set(KEY_PREFIX + key, b"1", nx=True, ex=WINDOW_SECONDS)
                return not fresh
            except (RedisError, OSError):
                pass  # fall through to the in-memory store
        return not self._remember(key)

    def _remember(self, key: str) -> bool:
        now = self.clock()
        for old in [k for k, until in self._seen.items() if until <= now]:
            del self._seen[old]
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
