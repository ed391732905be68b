"""Verdict corpus on a real nginx (tests/fakes/nginx.py) in front of a Spring-like resource server.

Each case names the location and the token the caller sends, states the ground truth (which the
fixture verified with plain HTTP before any case runs) and the verdict a responder needs first;
the real command runs through parse → run_invocation, and `judge` classifies its headline.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.cli.render import render
from handlers.core.model import Report, Severity
from tests.fakes.nginx import OTHER_KEY, Nginx, mint
from tests.scenarios.corpus.conftest import Case, Judge
from tests.scenarios.corpus.running import no_hydra_settings, run_scanned

PEER = "nginx"


def _good() -> str:
    return mint()


def _expired() -> str:
    now = int(time.time())
    return mint(iat=now - 4000, exp=now - 600)


def _no_scope() -> str:
    return mint(scope="profile")


def _other_audience() -> str:
    return mint(aud=["billing"])


def _forged() -> str:
    return mint(key=OTHER_KEY)


@dataclass(frozen=True)
class Row:
    case: Case
    command: str  # "probe" | "diagnose"
    path: str
    token: Callable[[], str] | None = None
    tls: bool = False
    #: Trust the fixture's self-signed certificate (SSL_CERT_FILE).
    trusted: bool = True


ROWS = [
    Row(
        Case(
            "nginx-tls-good-token",
            PEER,
            "TLS front, a valid token with scope `read`: nginx proxies, the upstream answers 200",
            "accepts this token",
            Severity.OK,
        ),
        "diagnose",
        "/api/orders/1",
        _good,
        tls=True,
    ),
    Row(
        Case(
            "nginx-tls-untrusted-certificate",
            PEER,
            "The TLS front's certificate is self-signed and not trusted: nothing can be known "
            "about the authorization (an error, never a verdict)",
            "No answer from",
            Severity.ERROR,
            undecided=True,
        ),
        "probe",
        "/api/orders/1",
        _good,
        tls=True,
        trusted=False,
    ),
    Row(
        Case(
            "nginx-stripped-header-diagnose",
            PEER,
            '`proxy_set_header Authorization "";`: the upstream never sees the valid token and '
            "answers the no-token challenge",
            "authorization_stripped",
        ),
        "diagnose",
        "/stripped/orders/1",
        _good,
    ),
    Row(
        Case(
            "nginx-stripped-header-probe",
            PEER,
            "The same stripping location, through `probe`",
            "did not see the token",
        ),
        "probe",
        "/stripped/orders/1",
        _good,
    ),
    Row(
        Case(
            "nginx-stripped-header-tls",
            PEER,
            "The stripping location behind the TLS front",
            "authorization_stripped",
        ),
        "diagnose",
        "/stripped/orders/1",
        _good,
        tls=True,
    ),
    Row(
        Case(
            "nginx-no-token-probe",
            PEER,
            "No token sent; the upstream challenges (`WWW-Authenticate: Bearer`)",
            "No token was sent",
        ),
        "probe",
        "/api/orders/1",
    ),
    Row(
        Case(
            "nginx-no-token-diagnose",
            PEER,
            "The same request through `diagnose`: the same verdict as `probe` (issue 17)",
            "no_token",
        ),
        "diagnose",
        "/api/orders/1",
    ),
    Row(
        Case(
            "nginx-auth-request-no-token",
            PEER,
            "`auth_request`: no token, the auth service says 401, nginx answers its own page",
            "no_token",
        ),
        "diagnose",
        "/gated/orders/1",
    ),
    Row(
        Case(
            "nginx-auth-request-good-token",
            PEER,
            "`auth_request` with a valid token: 200",
            "accepts this token",
            Severity.OK,
        ),
        "diagnose",
        "/gated/orders/1",
        _good,
    ),
    Row(
        Case(
            "nginx-auth-request-expired-diagnose",
            PEER,
            "`auth_request` with an expired token: nginx's own 401 page hides why; the token's "
            "`exp` says it",
            "token_expired",
        ),
        "diagnose",
        "/gated/orders/1",
        _expired,
    ),
    Row(
        Case(
            "nginx-auth-request-expired-probe",
            PEER,
            "The same through `probe`: the server's clock says the token expired",
            "token expired",
        ),
        "probe",
        "/gated/orders/1",
        _expired,
    ),
    Row(
        Case(
            "nginx-auth-request-forbidden-probe",
            PEER,
            "`auth_request` with a valid token lacking scope `read`: the auth service answers "
            "403, nginx its own 403 page",
            "not allowed (403)",
        ),
        "probe",
        "/gated/orders/1",
        _no_scope,
    ),
    Row(
        Case(
            "nginx-auth-request-forbidden-diagnose",
            PEER,
            "The same through `diagnose`: authenticated, refused by a rule",
            "rule_refused",
        ),
        "diagnose",
        "/gated/orders/1",
        _no_scope,
    ),
    Row(
        Case(
            "nginx-insufficient-scope-on-401",
            PEER,
            "The upstream answers `insufficient_scope` with status 401: still a scope problem",
            "scope_missing",
        ),
        "diagnose",
        "/api/scope401/orders",
        _no_scope,
    ),
    Row(
        Case(
            "nginx-insufficient-scope-on-401-probe",
            PEER,
            "The same through `probe`",
            "lacks a required scope",
        ),
        "probe",
        "/api/scope401/orders",
        _no_scope,
    ),
    Row(
        Case(
            "nginx-insufficient-scope-403",
            PEER,
            "The upstream requires scope `admin`; the token has `read`: 403 `insufficient_scope`",
            "scope_missing",
        ),
        "diagnose",
        "/api/admin/orders",
        _good,
    ),
    Row(
        Case(
            "nginx-rule-refused-diagnose",
            PEER,
            "Challenge without a token, a bare 401 with a valid token of audience `billing`: "
            "the token was authenticated and a rule refused it (not 'get a fresh token')",
            "rule_refused",
        ),
        "diagnose",
        "/api/rule/1",
        _other_audience,
    ),
    Row(
        Case(
            "nginx-rule-refused-probe",
            PEER,
            "The same through `probe`",
            "refused by a rule",
        ),
        "probe",
        "/api/rule/1",
        _other_audience,
    ),
    Row(
        Case(
            "nginx-forged-token-probe",
            PEER,
            "A token signed with a key the upstream does not trust: 401 `invalid_token`",
            "Token rejected (401)",
        ),
        "probe",
        "/api/orders/1",
        _forged,
    ),
]


async def _run(text: str, token: str | None) -> Report:
    return await run_scanned(text, no_hydra_settings(), [token] if token else [])


@pytest.mark.parametrize("row", ROWS, ids=[r.case.name for r in ROWS])
async def test_nginx_verdicts(
    row: Row, nginx: Nginx, judge: Judge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    if row.trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(nginx.ca_file))
    else:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    url = nginx.tls_url(row.path) if row.tls else nginx.url(row.path)
    token = row.token() if row.token else None
    text = f"{row.command} {url}" + (f" --token {shlex.quote(token)}" if token else "")
    report = await _run(text, token)
    judge(row.case, report)


async def test_probe_and_diagnose_agree_without_a_token(nginx: Nginx, judge: Judge) -> None:
    """Issue 17: one URL, no token — the same verdict, and nothing about "the token's client"."""
    headlines: list[Any] = []
    for command in ("probe", "diagnose"):
        report = await _run(f"{command} {nginx.url('/api/orders/1')}", None)
        head = report.headline
        assert head is not None
        headlines.append((head.status, head.title))
        text = render(report)
        assert "token's client" not in text
        assert "token names no client" not in text
    assert headlines[0] == headlines[1]
