"""Who may use the bot, where, and how often.

The bot can read Secrets in the cluster, so by default everyone in the workspace may use it but
deployments are expected to narrow it with AUTHCHECK_ALLOWED_CHANNELS / _USERS / _USERGROUPS.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

GroupMembers = Callable[[str], Awaitable[set[str]]]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


class AccessPolicy:
    def __init__(
        self,
        channels: list[str],
        users: list[str],
        usergroups: list[str],
        group_members: GroupMembers | None = None,
        cache_seconds: float = 300.0,
    ) -> None:
        self.channels = set(channels)
        self.users = set(users)
        self.usergroups = list(usergroups)
        self._group_members = group_members
        self._cache_seconds = cache_seconds
        self._cache: tuple[float, set[str]] | None = None

    async def _members(self) -> set[str]:
        if not self.usergroups or self._group_members is None:
            return set()
        now = time.monotonic()
        if self._cache and now - self._cache[0] < self._cache_seconds:
            return self._cache[1]
        members: set[str] = set()
        for group in self.usergroups:
            members |= await self._group_members(group)
        self._cache = (now, members)
        return members

    async def check(self, user: str, channel: str) -> Decision:
        if self.channels and channel not in self.channels:
            return Decision(False, "authcheck is not enabled in this channel")
        return await self.check_user(user)

    async def check_user(self, user: str) -> Decision:
        """The person alone, for surfaces that have no channel (App Home): being allowed
        somewhere is enough to see what the bot can reach."""
        if not self.users and not self.usergroups:
            return Decision(True)
        if user in self.users:
            return Decision(True)
        try:
            if user in await self._members():
                return Decision(True)
        except Exception:
            return Decision(False, "could not verify your user-group membership; try again")
        return Decision(False, "you are not on the list of people allowed to use authcheck")


class RateLimiter:
    """At most `per_minute` commands per user in any sliding minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def allow(self, user: str) -> bool:
        now = self._clock()
        hits = self._hits.setdefault(user, deque())
        while hits and now - hits[0] >= 60:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return False
        hits.append(now)
        return True
