"""`contradictions`: facts that disagree are findings; agreeing facts are not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from handlers.core.model import Severity
from handlers.oauth.contradictions import (
    ACTIVE_BUT_EXPIRED,
    ACTIVE_NOT_YET_VALID,
    AUDIENCE_NOT_IN_TOKEN,
    INACTIVE_OTHER_CLIENT,
    SCOPE_NOT_GRANTED,
    after_introspection,
    after_token,
)
from handlers.tokens.reading import DecodedJwt, decode_unverified
from tests.fakes.jwts import at, make_jwt

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def jwt(**claims: Any) -> DecodedJwt:
    base: dict[str, Any] = {"iss": "https://issuer", "client_id": "orders", "scope": "read"}
    base["aud"] = "read"
    base |= {"iat": at(NOW, -60), "exp": at(NOW, 3000)}
    return decode_unverified(make_jwt({**base, **claims}))


def keys(found: list[Any]) -> list[str]:
    return [c.key for c in found]


def test_scope_dropped_by_the_server_is_named() -> None:
    found = after_token(["read", "write"], "read", None, None)
    assert keys(found) == [SCOPE_NOT_GRANTED]
    assert found[0].evidence["missing"] == ["write"]
    assert found[0].status is Severity.WARN


def test_scope_left_out_of_the_answer_is_read_from_the_jwt() -> None:
    assert keys(after_token(["read", "write"], None, None, jwt(scope="read"))) == [
        SCOPE_NOT_GRANTED
    ]
    assert after_token(["read"], None, None, jwt(scope="read")) == []
    # Opaque token, no `scope` in the answer: nothing to contradict.
    assert after_token(["read", "write"], None, None, None) == []


def test_audience_ignored_by_the_server_is_named() -> None:
    found = after_token(["read"], "read", "https://orders.example", jwt())
    assert keys(found) == [AUDIENCE_NOT_IN_TOKEN]
    assert found[0].evidence["aud"] == ["read"]
    assert after_token(["read"], "read", "read", jwt()) == []


def test_active_but_expired_or_not_yet_valid() -> None:
    expired = jwt(exp=at(NOW, -600))
    assert keys(after_introspection({"active": True}, True, expired, None, NOW)) == [
        ACTIVE_BUT_EXPIRED
    ]
    early = jwt(nbf=at(NOW, 3600), exp=at(NOW, 7200))
    assert keys(after_introspection({"active": True}, True, early, None, NOW)) == [
        ACTIVE_NOT_YET_VALID
    ]
    # Within the usual leeway, and for a healthy token: no finding.
    near = jwt(nbf=at(NOW, 60))
    assert after_introspection({"active": True}, True, near, None, NOW) == []
    # An opaque token: the introspection answer's own `exp` is the evidence.
    body = {"active": True, "exp": at(NOW, -10)}
    assert keys(after_introspection(body, True, None, None, NOW)) == [ACTIVE_BUT_EXPIRED]


def test_inactive_for_another_client_is_not_proof() -> None:
    found = after_introspection({"active": False}, False, jwt(), "introspector", NOW)
    assert keys(found) == [INACTIVE_OTHER_CLIENT]
    assert found[0].status is Severity.ERROR
    assert after_introspection({"active": False}, False, jwt(), "orders", NOW) == []
    assert after_introspection({"active": False}, False, jwt(), None, NOW) == []
