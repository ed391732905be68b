"""`client_auth_verdict` and `request_verdict`: pure judges, table-tested without a server.

The end-to-end behaviour (real oidc-provider, Glewlwyd, a UAA fake) is in
tests/handlers/commands/test_token*.py; here each pattern of answers is written down once, so a
change in the reading shows up as one failing row, not as a changed experiment.
"""

from __future__ import annotations

import pytest

from handlers.core.check import CheckContext
from handlers.core.model import Severity
from handlers.core.settings import Settings
from handlers.oauth.client_auth import BASIC_ENCODED, BASIC_ENCODED_CF, BASIC_RAW, POST_BODY
from handlers.oauth.client_auth_verdicts import client_auth_verdict
from handlers.oauth.destinations import Credentials
from handlers.oauth.token_experiments import ClientAuthTrials, TokenRun
from handlers.oauth.token_request import TokenAttempt
from handlers.oauth.token_verdicts import request_verdict

SECRET = "pl+s/ec=ret"
URL = "https://as.example.com/oauth/token"


def run(secret: str = SECRET, scope: str | None = "read") -> TokenRun:
    ctx = CheckContext(settings=Settings(timeout=3))
    return TokenRun(
        ctx, URL, Credentials("svc", secret, "--client-id/--client-secret"), scope, None, []
    )


def answer(
    method: str, status: int, error: str | None = None, token: str | None = None
) -> TokenAttempt:
    return TokenAttempt(
        method=method,
        status=status,
        error=error,
        error_description=None,
        www_authenticate=None,
        access_token=token,
        expires_in=None,
        scope=None,
        transport_error=None,
    )


REFUSED = 401, "invalid_client"
TOKEN = answer(BASIC_RAW, 200, token="opaque-issued")


def trials(first: TokenAttempt, *more: TokenAttempt, stripped_ok: bool = False) -> ClientAuthTrials:
    return ClientAuthTrials(first, {a.method: a for a in (first, *more)}, stripped_ok)


@pytest.mark.parametrize(
    ("case", "title"),
    [
        (
            trials(answer(BASIC_ENCODED, *REFUSED), answer(POST_BODY, *REFUSED), TOKEN),
            "The server does not URL-decode Basic credentials",
        ),
        (
            trials(
                answer(BASIC_ENCODED, *REFUSED),
                answer(POST_BODY, *REFUSED),
                answer(BASIC_RAW, *REFUSED),
                answer(BASIC_ENCODED_CF, 200, token="t"),
            ),
            "UAA takes Basic credentials raw: the URL-encoded secret is wrong to it",
        ),
        (
            trials(
                answer(BASIC_ENCODED, *REFUSED),
                answer(POST_BODY, 200, token="t"),
                answer(BASIC_RAW, *REFUSED),
            ),
            "The client only authenticates with credentials in the POST body",
        ),
        (
            trials(answer(POST_BODY, *REFUSED), answer(BASIC_ENCODED, 200, token="t")),
            "The client only authenticates with Basic credentials",
        ),
        (
            trials(answer(BASIC_ENCODED, *REFUSED), answer(POST_BODY, *REFUSED)),
            "Client `svc` was refused by every authentication method",
        ),
    ],
)
def test_the_pattern_of_answers_names_the_cause(case: ClientAuthTrials, title: str) -> None:
    (verdict,) = client_auth_verdict(run(), case, uaa=False)
    assert verdict.status is Severity.FAIL
    assert verdict.title == title
    assert SECRET not in verdict.detail


def test_a_secret_with_a_newline_that_works_trimmed_is_the_cause() -> None:
    refused = answer(BASIC_ENCODED, *REFUSED)
    (verdict,) = client_auth_verdict(run(SECRET + "\n"), trials(refused, stripped_ok=True), False)
    assert verdict.title == "The client secret has a trailing newline around it"
    assert "The trimmed secret works." in verdict.detail


def test_refusals_without_a_reason_and_no_scope_are_could_not_tell_not_wrong() -> None:
    """Glewlwyd refuses a scope-less request like bad credentials: `error`, never `fail`."""
    silent = trials(answer(BASIC_ENCODED, 403), answer(POST_BODY, 403))
    (verdict,) = client_auth_verdict(run(scope=None), silent, uaa=False)
    assert verdict.status is Severity.ERROR
    assert verdict.evidence["side"] == "undecided"


def test_no_client_auth_verdict_once_a_method_got_through() -> None:
    through = trials(answer(BASIC_ENCODED, *REFUSED), answer(POST_BODY, 400, "invalid_scope"))
    through.tried[BASIC_RAW] = answer(BASIC_RAW, 400, "invalid_scope")
    through.tried[BASIC_ENCODED] = answer(BASIC_ENCODED, 400, "invalid_scope")
    assert client_auth_verdict(run(), through, uaa=False) == []


def test_a_scope_refusal_says_whether_the_request_works_without_it() -> None:
    first = answer(BASIC_ENCODED, 400, "invalid_scope")
    retry = answer(BASIC_ENCODED, 200, token="t")
    (verdict,) = request_verdict(run(), first, retry)
    assert verdict.status is Severity.FAIL
    assert verdict.title == "Scope not allowed for client `svc`: read"
    assert verdict.detail.endswith("Without --scope the client gets a token.")


def test_a_server_error_is_not_a_verdict_on_the_client() -> None:
    (verdict,) = request_verdict(run(), answer(BASIC_ENCODED, 503, "server_error"), None)
    assert verdict.status is Severity.ERROR
