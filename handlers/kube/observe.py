"""Kubernetes reads as observations, for gatherers that collect several at once.

The reads raise typed `KubeError`s, which suits a command reading one object. A gatherer that
reads many concurrently (every APIRule version, every OAuth2Client's Secret) keeps each outcome
as `Seen(value)` or `KubeUnknown` instead of an exception smuggled through as a value.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from handlers.core.observation import Seen, Unknown
from handlers.kube.errors import HOW_TO_CONFIGURE, KubeError, KubeForbidden, KubeNotConfigured

T = TypeVar("T")


@dataclass(frozen=True)
class KubeUnknown(Unknown):
    """Could not read; `error` keeps its kind (not configured, forbidden, not found…) for the
    callers that judge a missing resource type differently from a missing permission."""

    error: KubeError | None = None


def _decides(exc: KubeError) -> str:
    if isinstance(exc, KubeForbidden):
        return f"a Role rule {{{exc.rbac_rule}}} for authcheck's ServiceAccount"
    if isinstance(exc, KubeNotConfigured):
        return HOW_TO_CONFIGURE
    return exc.action


async def observe(read: Awaitable[T]) -> Seen[T] | KubeUnknown:
    """Runs one read: `Seen(value)`, or `KubeUnknown` naming why it could not tell."""
    try:
        return Seen(await read)
    except KubeError as exc:
        return KubeUnknown(exc.message, _decides(exc), exc)
