"""Tokens for tests: real PyJWT-signed JWTs and hand-crafted broken ones.

Times are built relative to a clock the test controls, never asserted against the wall clock.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import jwt

#: HS256 test key (long enough that PyJWT does not warn about weak HMAC keys).
KEY = "authcheck-test-signing-key-0123456789abcdef"


def make_jwt(claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
    """An HS256 JWT signed with the test key."""
    return jwt.encode(claims, KEY, algorithm="HS256", headers=headers)


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """`alg: none`, empty signature segment: what a forged token looks like."""
    return jwt.encode(claims, None, algorithm="none")


def b64url(value: bytes | dict[str, Any] | list[Any] | str) -> str:
    if isinstance(value, dict | list):
        value = json.dumps(value).encode()
    elif isinstance(value, str):
        value = value.encode()
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


def crafted(header: Any, payload: Any, signature: str = "c2lnbmF0dXJlLXNlZ21lbnQtMTIzNDU") -> str:
    """Three segments from arbitrary parts (dicts/lists are JSON-encoded, bytes taken raw)."""
    return ".".join([b64url(header), b64url(payload), signature])


def at(now: datetime, seconds: float) -> int:
    """A NumericDate `seconds` from `now` (negative = in the past)."""
    return int(now.timestamp() + seconds)


def signature_of(token: str) -> str:
    return token.rsplit(".", 1)[-1]
