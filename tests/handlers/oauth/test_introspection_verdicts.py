"""The introspection judges, table-tested without a server: a failed *call* is an `error` about
the bot's setup, an inactive answer is followed by what the token itself shows.

End to end (real oidc-provider, a Hydra admin fake) is tests/handlers/commands/test_introspect.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.core.findings import FindingBuilder
from handlers.core.model import Severity
from handlers.oauth.activity_verdicts import answer_findings, inactive_findings
from handlers.oauth.introspection import Introspection, IntrospectionCall
from handlers.oauth.introspection_target import Target
from handlers.oauth.introspection_verdicts import call_failure
from handlers.tokens.info import view
from tests.fakes.jwts import at, make_jwt

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
URL = "http://hydra-admin:4445/admin/oauth2/introspect"
OUT = FindingBuilder("introspection", {"fingerprint": "sha256:test"})


def test_an_unreachable_endpoint_is_an_error_about_the_setup_not_the_token() -> None:
    result = Introspection([IntrospectionCall(URL, None, transport_error="connection refused")])
    target = Target("http://hydra-admin:4445", "AUTHCHECK_HYDRA_ADMIN_URL", hydra_admin=True)
    (finding,) = call_failure(OUT, target, result, None, view("opaque-token-value"))
    assert finding.status is Severity.ERROR
    assert finding.title == "Introspection endpoint unreachable"
    assert "This says nothing about the token." in finding.detail
    assert finding.evidence["fingerprint"] == "sha256:test"


def test_the_bot_refused_is_about_the_caller() -> None:
    result = Introspection([IntrospectionCall(URL, 401)])
    target = Target(URL, "--url", user_typed=True)
    (finding,) = call_failure(OUT, target, result, None, view("opaque-token-value"))
    assert finding.status is Severity.ERROR
    assert "refused authcheck's call (HTTP 401)" in finding.title


def test_an_inactive_expired_jwt_says_it_expired() -> None:
    token = make_jwt({"iss": "https://as.example.com", "exp": at(NOW, -600), "scope": "read"})
    found = inactive_findings(OUT, URL, view(token), ["read"], "https://as.example.com", NOW)
    assert [f.status for f in found] == [Severity.FAIL, Severity.FAIL]
    assert found[1].title.startswith("The token expired")


def test_an_inactive_opaque_token_lists_the_likely_causes() -> None:
    found = inactive_findings(OUT, URL, view("opaque-token-value"), [], None, NOW)
    assert found[0].title == "Token is not active"
    assert found[-1].status is Severity.INFO
    assert found[-1].title == "Nothing in the token itself explains it"


def test_an_active_answer_without_a_required_scope_fails() -> None:
    call = IntrospectionCall(URL, 200, body={"active": True, "scope": "read", "exp": at(NOW, 3600)})
    found = answer_findings(OUT, call, view("opaque-token-value"), ["write"], None, None, NOW)
    assert found[0].title == "Token is active"
    assert found[1].status is Severity.FAIL
    assert found[1].evidence["missing"] == ["write"]
