"""`refusals`: how a token endpoint's answer is read, table-driven over the bytes real servers send
(Hydra, UAA, oidc-provider, Glewlwyd, a proxy's login page)."""

from __future__ import annotations

import pytest

from handlers.oauth.refusals import (
    client_auth_passed,
    client_unknown,
    may_be_client_auth,
    not_a_token_endpoint,
)
from handlers.oauth.token_request import TokenAttempt
from tests.fakes.hydra_admin import INVALID_CLIENT_DESCRIPTION


def answer(
    status: int | None,
    error: str | None = None,
    description: str | None = None,
    *,
    token: str | None = None,
    content_type: str | None = None,
    excerpt: str | None = None,
) -> TokenAttempt:
    return TokenAttempt(
        method="basic-encoded",
        status=status,
        error=error,
        error_description=description,
        www_authenticate=None,
        access_token=token,
        expires_in=None,
        scope=None,
        transport_error=None if status else "connection refused",
        content_type=content_type,
        body_excerpt=excerpt,
    )


LOGIN = answer(200, content_type="text/html", excerpt="<html><form action=/login> Sign in")

#: (name, answer, may be client authentication, proves the client got through, not a token URL)
TABLE = [
    ("token issued", answer(200, token="t"), False, True, False),
    (
        "hydra invalid_client",
        answer(401, "invalid_client", INVALID_CLIENT_DESCRIPTION),
        True,
        False,
        False,
    ),
    ("uaa bad credentials", answer(401, "unauthorized", "Bad credentials"), True, False, False),
    ("glewlwyd empty 403", answer(403), True, False, False),
    ("glewlwyd empty 400 (password grant)", answer(400), True, False, False),
    (
        "proxy html 401",
        answer(401, content_type="text/html", excerpt="<h1>401</h1>"),
        True,
        False,
        False,
    ),
    (
        "oidc-provider newline",
        answer(400, "invalid_request", "invalid authorization header"),
        True,
        False,
        False,
    ),
    (
        "missing parameter",
        answer(400, "invalid_request", "grant_type missing"),
        False,
        False,
        False,
    ),
    ("glewlwyd scope_invalid", answer(400, "scope_invalid"), False, True, False),
    (
        "invalid_scope",
        answer(400, "invalid_scope", "The requested scope is invalid."),
        False,
        True,
        False,
    ),
    ("unauthorized_client 400", answer(400, "unauthorized_client"), False, True, False),
    ("unauthorized_client 401 (UAA)", answer(401, "unauthorized_client"), True, False, False),
    ("unsupported_grant_type", answer(400, "unsupported_grant_type"), False, True, False),
    ("404 json (glewlwyd)", answer(404, "resource not found"), False, False, True),
    ("404 text", answer(404), False, False, True),
    ("redirect", answer(302), False, False, True),
    ("login page", LOGIN, False, False, True),
    ("server error", answer(502), False, False, False),
    ("no answer", answer(None), False, False, False),
]


@pytest.mark.parametrize(
    ("name", "a", "maybe", "passed", "elsewhere"), TABLE, ids=[row[0] for row in TABLE]
)
def test_reading_a_refusal(
    name: str, a: TokenAttempt, maybe: bool, passed: bool, elsewhere: bool
) -> None:
    assert may_be_client_auth(a) is maybe, name
    assert client_auth_passed(a) is passed, name
    assert not_a_token_endpoint(a) is elsewhere, name


def test_whitespace_in_the_secret_makes_a_400_invalid_request_a_client_question() -> None:
    bare = answer(400, "invalid_request", "something odd")
    assert not may_be_client_auth(bare, "secret")
    assert may_be_client_auth(bare, "secret\n")


@pytest.mark.parametrize(
    ("description", "unknown"),
    [
        (INVALID_CLIENT_DESCRIPTION, False),  # Hydra lists examples: not a statement
        ("Client authentication failed (e.g. unknown client).", False),
        ("client not found", True),
        ("Client with id nobody does not exist", True),
        ("unknown client", True),
        ("Bad credentials", False),
    ],
)
def test_only_a_statement_says_the_client_is_unknown(description: str, unknown: bool) -> None:
    assert client_unknown(answer(401, "invalid_client", description)) is unknown
