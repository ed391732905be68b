"""Parsers for WWW-Authenticate, OAuth error JSON and Oathkeeper/Envoy bodies never raise."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.net.answers import (
    envoy_message,
    parse_oathkeeper_error,
    parse_oauth_error,
    parse_www_authenticate,
)


def test_bearer_challenge_with_rfc6750_error() -> None:
    [c] = parse_www_authenticate(
        'Bearer realm="https://api/x, y", error="insufficient_scope", scope="read write"'
    )
    assert c.scheme == "bearer"
    assert c.params == {
        "realm": "https://api/x, y",
        "error": "insufficient_scope",
        "scope": "read write",
    }


def test_two_challenges_and_token68() -> None:
    parsed = parse_www_authenticate(
        'Basic realm="UAA/client", error="unauthorized", Negotiate a1=='
    )
    assert [(c.scheme, c.error, c.token68) for c in parsed] == [
        ("basic", "unauthorized", None),
        ("negotiate", None, "a1=="),
    ]


def test_bare_scheme_means_no_error_code() -> None:
    [c] = parse_www_authenticate("Bearer")
    assert c.error is None
    assert c.params == {}


@given(st.text(max_size=200))
def test_www_authenticate_never_raises(value: str) -> None:
    for challenge in parse_www_authenticate(value):
        assert challenge.scheme == challenge.scheme.lower()


def test_oauth_error_with_hydra_hint() -> None:
    err = parse_oauth_error(b'{"error":"invalid_client","error_description":"d","error_hint":"h"}')
    assert err is not None
    assert (err.error, err.description, err.hint) == (
        "invalid_client",
        "d",
        "h",
    )
    assert parse_oauth_error(b"<html>") is None
    assert parse_oauth_error(b'{"error":{"code":401}}') is None


def test_oathkeeper_shape() -> None:
    body = b'{"error":{"code":403,"status":"Forbidden","message":"Access credentials are not"}}'
    err = parse_oathkeeper_error(body)
    assert err is not None
    assert err.code == 403
    assert err.status == "Forbidden"
    assert parse_oathkeeper_error(b'{"error":"invalid_token"}') is None


def test_envoy_messages() -> None:
    assert envoy_message(b"RBAC: access denied") == "RBAC: access denied"
    assert envoy_message("Jwt is expired") == "Jwt is expired"
    assert envoy_message(b"jwks doesn't have key to match kid or alg from Jwt") is not None
    assert envoy_message(b"Hello") is None
    assert envoy_message(bytes(range(256))) is None
