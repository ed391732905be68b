"""What a cause is: an id, plain words, a remedy, and a predicate over `Facts` that returns a
`Hit` (how strongly the facts point at it, and why) or None. The Envoy messages the predicates
look for in the gateway's answer (DOMAIN.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.diagnosis.facts import Facts

#: Envoy messages (DOMAIN.md) the predicates look for in the gateway's answer.
EXPIRED = "Jwt is expired"
NOT_YET_VALID = "Jwt not yet valid"
ISSUER_UNKNOWN = "Jwt issuer is not configured"
KID_UNKNOWN = "Jwks doesn't have key to match kid or alg from Jwt"
RBAC = "RBAC: access denied"


@dataclass(frozen=True)
class Hit:
    """A cause the facts point at: how strongly, and why (sentences people read)."""

    score: float
    evidence: list[str]
    data: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    remedy: str | None = None


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    remedy: str
    test: Callable[[Facts], Hit | None]
    explains: tuple[str, ...] = ()
