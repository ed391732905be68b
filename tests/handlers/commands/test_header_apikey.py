"""`header` on API keys: key headers (`X-API-Key`, `api-key`, …), `Authorization: ApiKey …`, and
vendor keys sent as Bearer tokens (Google, Stripe, GitHub, AWS); no key ever reaches the output."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime

import pytest

from bot.cli.render import render
from handlers.commands.header import HeaderCheck
from handlers.commands.registry import default_registry
from handlers.core.check import Arguments, CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
GOOGLE = "AIza" + "SyD3x4mPl3-K3y_f0r_T3sts0nly1234567"
STRIPE_LIVE = "sk_live_51Hx4mPl3K3yF0rT3sts0nlyAbCdEf"
STRIPE_PUBLISHABLE = "pk_live_51Hx4mPl3K3yF0rT3sts0nlyAbCdEf"
GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
GENERIC = "c0ffee-4f1c2b7e9a0d4e118c5f2a6b3d9e0f17"
ALL_KEYS = (GOOGLE, STRIPE_LIVE, STRIPE_PUBLISHABLE, GITHUB, AWS_KEY_ID, GENERIC)


def run(text: str) -> Report:
    report = asyncio.run(
        run_invocation(parse(text, default_registry()), CheckContext(settings=Settings()))
    )
    blob = json.dumps(report.to_dict()) + render(report)
    for key in ALL_KEYS:
        assert key not in blob
    return report


def direct(text: str) -> list[Finding]:
    ctx = CheckContext(settings=Settings(), clock=lambda: NOW)
    findings = asyncio.run(HeaderCheck().run(Arguments({"value": text}), ctx))
    blob = json.dumps([f.to_dict() for f in findings])
    for key in ALL_KEYS:
        assert key not in blob
    return findings


def only(report: Report | list[Finding], status: Severity) -> list[str]:
    findings = report.findings if isinstance(report, Report) else report
    return [f.title for f in findings if f.status is status]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (f"X-API-Key: {GENERIC}", "API-key header `X-API-Key` is well-formed"),
        (f"api-key: {GENERIC}", "API-key header `api-key` is well-formed"),
        (f"x-goog-api-key: {GOOGLE}", "API-key header `x-goog-api-key` is well-formed: a Google"),
        (
            f"curl -H 'X-API-Key: {GENERIC}' https://api.example.com/v1/orders",
            "API-key header `X-API-Key` is well-formed",
        ),
        (
            "POST /v1/orders HTTP/1.1\nHost: api.example.com\n"
            f"Ocp-Apim-Subscription-Key: {GENERIC}",
            "API-key header `Ocp-Apim-Subscription-Key` is well-formed",
        ),
    ],
)
def test_key_headers_are_recognised(text: str, title: str) -> None:
    report = run(f"header {text}")
    oks = only(report, Severity.OK)
    assert any(t.startswith(title) for t in oks), [f.title for f in report.findings]
    assert not report.status.is_problem


def test_key_header_mistakes() -> None:
    assert "`X-API-Key` carries a scheme (`Bearer`) before the key" in only(
        direct(f"X-API-Key: Bearer {GENERIC}"), Severity.FAIL
    )
    assert "Header name `X_API_KEY` contains `_`" in only(
        direct(f"X_API_KEY: {GENERIC}"), Severity.WARN
    )
    assert "Quotes around the credentials" in only(direct(f'X-API-Key: "{GENERIC}"'), Severity.FAIL)
    assert "An AWS access key id in `x-api-key`" in only(
        direct(f"x-api-key: {AWS_KEY_ID}"), Severity.FAIL
    )
    assert "A Google API key in `X-API-Key`" in only(direct(f"X-API-Key: {GOOGLE}"), Severity.WARN)


@pytest.mark.parametrize(
    ("key", "status", "title"),
    [
        (GOOGLE, Severity.FAIL, "A Google API key sent as a Bearer token"),
        (AWS_KEY_ID, Severity.FAIL, "An AWS access key id sent as a Bearer token"),
        (STRIPE_PUBLISHABLE, Severity.FAIL, "A Stripe publishable key sent as a Bearer token"),
        (STRIPE_LIVE, Severity.OK, "Header is well-formed: Bearer <a Stripe secret key>"),
        (GITHUB, Severity.OK, "Header is well-formed: Bearer <a GitHub token>"),
    ],
)
def test_vendor_keys_sent_as_bearer(key: str, status: Severity, title: str) -> None:
    report = run(f"header Authorization: Bearer {key}")
    assert title in only(report, status), [f.title for f in report.findings]


def test_google_key_as_bearer_says_how_to_send_it() -> None:
    (finding,) = [f for f in direct(f"Bearer {GOOGLE}") if f.status is Severity.FAIL]
    assert "X-goog-api-key" in finding.remedy
    assert finding.evidence["vendor"] == "Google"


def test_apikey_scheme() -> None:
    encoded = base64.b64encode(f"VuaCfGcBCdbkQm-e5aOx:{GENERIC}".encode()).decode()
    findings = direct(f"Authorization: ApiKey {encoded}")
    (ok,) = findings
    assert ok.title == "API-key scheme `ApiKey` is well-formed"
    assert "id `VuaCfGcBCdbkQm-e5aOx`" in ok.detail
    assert "Elasticsearch" in ok.detail
    two = only(direct(f"Authorization: ApiKey {GENERIC} {GENERIC}"), Severity.FAIL)
    assert two == ["`ApiKey` must be followed by exactly one key (2 words found)"]
