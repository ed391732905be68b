"""`probe`: who answered and why, against gatekeeper fakes that answer like Envoy/Istio,
Oathkeeper, UAA, RFC 6750 servers, a login redirect, a header-stripping proxy, a skewed clock,
a hanging server and garbage — through parse → run_invocation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.gatekeepers import GOOD_TOKEN, Gatekeepers
from tests.fakes.jwts import make_jwt
from tests.fakes.oidc import free_port

TOKEN = "opaque-token-under-test-0123456789"


async def run(text: str, fake: Gatekeepers, allow: bool = True, **overrides: Any) -> Report:
    values: dict[str, Any] = {
        "url_allowlist": ["127.0.0.1"] if allow else [],
        "timeout": 3,
        "kubeconfig": None,
    }
    values.update(overrides)
    inv = parse(text, default_registry())
    ctx = CheckContext(settings=Settings(**values), clock=lambda: fake.now)
    report = await run_invocation(inv, ctx)
    blob = json.dumps(report.to_dict()) + render(report)
    assert TOKEN not in blob
    assert GOOD_TOKEN not in blob
    return report


def by_title(report: Report, fragment: str) -> Finding:
    matches = [f for f in report.findings if fragment.lower() in f.title.lower()]
    assert matches, f"no finding with {fragment!r}: {[f.title for f in report.findings]}"
    return matches[0]


async def test_envoy_expired_jwt(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/envoy/expired')} --token {TOKEN}", gatekeepers)
    rejected = by_title(report, "Token rejected (401) by Istio/Envoy JWT authentication")
    assert rejected.status is Severity.FAIL
    assert "Jwt is expired" in rejected.title
    assert rejected.evidence["with_token"]["code"] == "invalid_token"
    assert gatekeepers.hits["/envoy/expired"] == 2
    assert gatekeepers.auth_seen["/envoy/expired"] == [False, True]


async def test_envoy_rbac_same_with_and_without_token(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/envoy/rbac')} --token {TOKEN}", gatekeepers)
    same = by_title(report, "Same answer with and without the token")
    assert same.status is Severity.WARN
    assert "RBAC" in same.title
    assert "fromHeaders" in by_title(report, "Without a token").detail


async def test_envoy_jwt_rule_accepts_the_good_token(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/envoy/jwt')} --token {GOOD_TOKEN}", gatekeepers)
    accepted = by_title(report, "The token is accepted")
    assert accepted.status is Severity.OK
    assert "403 from Istio/Envoy authorization (RBAC)" in accepted.detail
    assert report.status is Severity.INFO


async def test_envoy_jwt_rule_with_a_bad_token(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/envoy/jwt')} --token {TOKEN}", gatekeepers)
    rejected = by_title(report, "Token rejected (401)")
    assert "Jwt verification fails" in rejected.title
    assert "JWKS" in rejected.detail


async def test_oathkeeper_json_401_then_403(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/oathkeeper')} --token {TOKEN}", gatekeepers)
    anon = by_title(report, "Without a token: HTTP 401 from Ory Oathkeeper")
    assert "active: false" in anon.detail
    forbidden = by_title(report, "not allowed (403) by Ory Oathkeeper")
    assert forbidden.status is Severity.FAIL
    assert "audience" in forbidden.title


async def test_uaa_realm_is_recognised(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/uaa')}", gatekeepers)
    anon = by_title(report, "Cloud Foundry UAA")
    assert "UAA/client" in anon.detail
    assert anon.evidence["without_token"]["code"] == "unauthorized"


async def test_login_redirect(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/login')} --token {TOKEN}", gatekeepers)
    # Issue 15 §5: a redirect to a login page is a browser route, stated as such.
    redirected = report.findings[0]
    assert redirected.title == "With the token: HTTP 302 from a login redirect"
    assert redirected.status is Severity.FAIL
    assert "browser route" in redirected.remedy


async def test_proxy_stripping_authorization(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/stripped')} --token {TOKEN}", gatekeepers)
    unseen = by_title(report, "The server did not see the token")
    assert unseen.status is Severity.FAIL
    assert "strips the `Authorization`" in unseen.remedy
    assert "RFC 6750" in unseen.detail


async def test_insufficient_scope_per_rfc_6750(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/scope')} --token {TOKEN}", gatekeepers)
    forbidden = by_title(report, "lacks a required scope `admin`")
    assert forbidden.status is Severity.FAIL
    assert "needs `admin`" in forbidden.detail
    assert forbidden.evidence["with_token"]["code"] == "insufficient_scope"


async def test_server_clock_skew_and_token_times(gatekeepers: Gatekeepers) -> None:
    now = int(gatekeepers.now.timestamp())
    token = make_jwt({"iss": "https://issuer/", "iat": now - 60, "exp": now + 300})
    report = await run(f"probe {gatekeepers.url('/skewed')} --token {token}", gatekeepers)
    skew = by_title(report, "clock is 600 s ahead")
    assert skew.status is Severity.WARN
    assert skew.evidence["skew_s"] == 600
    expired = by_title(report, "By the server's clock the token expired")
    assert expired.status is Severity.FAIL
    assert token not in json.dumps(report.to_dict())


async def test_no_skew_finding_when_clocks_agree(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/envoy/rbac')}", gatekeepers)
    assert not any("clock" in f.title for f in report.findings)


async def test_open_endpoint_with_a_token_is_a_warning(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/open')} --token {TOKEN}", gatekeepers)
    assert by_title(report, "without any token").status is Severity.WARN


async def test_garbage_body_is_described_not_crashed(gatekeepers: Gatekeepers) -> None:
    report = await run(
        f"probe {gatekeepers.url('/garbage')} --token {TOKEN} --method POST", gatekeepers
    )
    assert gatekeepers.hits["/garbage"] == 2
    same = by_title(report, "Same answer with and without the token")
    assert "no gatekeeper signature recognised" in same.detail
    assert not any(f.title.startswith("Check `probe`") for f in report.findings)


async def test_hanging_server_is_bounded_by_the_timeout(gatekeepers: Gatekeepers) -> None:
    report = await run(
        f"probe {gatekeepers.url('/hang')} --token {TOKEN}", gatekeepers, timeout=0.3
    )
    hung = by_title(report, "No answer from")
    assert hung.status is Severity.ERROR
    assert "timed out after 0.3 s" in hung.detail
    # Both calls (with and without the token) go out at once, under the same bound.
    assert gatekeepers.hits["/hang"] == 2
    assert not any(f.status is Severity.FAIL for f in report.findings)


async def test_connection_refused_is_an_error_not_a_verdict(gatekeepers: Gatekeepers) -> None:
    url = f"http://127.0.0.1:{free_port()}/api"
    report = await run(f"probe {url} --token {TOKEN}", gatekeepers)
    refused = by_title(report, "No answer from")
    assert refused.status is Severity.ERROR
    assert f"connection refused to {url}" in refused.detail
    assert not any(f.status is Severity.FAIL for f in report.findings)


async def test_tls_to_a_plain_http_server_is_an_error(gatekeepers: Gatekeepers) -> None:
    url = gatekeepers.url("/open").replace("http://", "https://")
    report = await run(f"probe {url}", gatekeepers)
    failed = by_title(report, "No answer from")
    assert "TLS handshake" in failed.detail


async def test_loopback_is_refused_without_allowlist(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/open')}", gatekeepers, allow=False)
    refused = by_title(report, "Refused to call")
    assert refused.status is Severity.ERROR
    assert "loopback" in refused.detail
    assert gatekeepers.hits["/open"] == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("probe ftp://x/", "<url>: it must start with http:// or https://"),
        (
            "probe http://x/ --method TRACE",
            "--method must be one of get, head, post, put, patch, delete, options",
        ),
    ],
)
def test_bad_input_is_a_usage_error(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text, default_registry())
    assert caught.value.reason == reason
