"""`probe`: which scheme the server asks for (WWW-Authenticate Basic/Negotiate/Digest/Bearer, AWS
XML and API Gateway errors) and a verdict when the caller used another one, against gatekeeper
fakes over real HTTP; a SigV4 header signed by botocore is sent as given, never leaked."""

from __future__ import annotations

import base64
import json
from typing import Any

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.gatekeepers import BASIC_USER, Gatekeepers
from tests.handlers.schemes.test_sigv4 import sign

TOKEN = "opaque-token-under-test-0123456789"


async def run(text: str, fake: Gatekeepers, *secrets: str) -> Report:
    settings: dict[str, Any] = {"url_allowlist": ["127.0.0.1"], "timeout": 3, "kubeconfig": None}
    ctx = CheckContext(settings=Settings(**settings), clock=lambda: fake.now)
    report = await run_invocation(parse(text, default_registry()), ctx)
    blob = json.dumps(report.to_dict()) + render(report)
    for secret in (TOKEN, *secrets):
        assert secret not in blob
    return report


def by_title(report: Report, fragment: str) -> Finding:
    matches = [f for f in report.findings if fragment.lower() in f.title.lower()]
    assert matches, f"no finding with {fragment!r}: {[f.title for f in report.findings]}"
    return matches[0]


def fails(report: Report) -> list[str]:
    return [f.title for f in report.findings if f.status is Severity.FAIL]


async def test_bearer_sent_where_basic_is_asked(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/basic')} --token {TOKEN}", gatekeepers)
    asked = next(f for f in report.findings if f.title.startswith("The server asks for Basic"))
    assert asked.detail == 'WWW-Authenticate: Basic realm="admin"'
    wrong = by_title(report, "Wrong scheme: Bearer was sent, the server asks for Basic")
    assert wrong.status is Severity.FAIL
    assert "curl -u" in wrong.remedy
    assert wrong.evidence == {"sent": "Bearer", "asked": ["Basic"]}
    assert report.findings[0] is wrong  # issue 15 §5: the scheme the server states leads


async def test_basic_credentials_are_sent_as_basic(gatekeepers: Gatekeepers) -> None:
    value = base64.b64encode(":".join(BASIC_USER).encode()).decode()
    report = await run(
        f"probe {gatekeepers.url('/basic')} --token 'Basic {value}'",
        gatekeepers,
        value,
        BASIC_USER[1],
    )
    assert by_title(report, "The token is accepted: HTTP 200").status is Severity.OK
    assert not [t for t in fails(report) if "Wrong scheme" in t]
    assert gatekeepers.auth_seen["/basic"] == [False, True]


async def test_negotiate_and_digest_cannot_take_a_static_token(gatekeepers: Gatekeepers) -> None:
    negotiate = await run(f"probe {gatekeepers.url('/negotiate')} --token {TOKEN}", gatekeepers)
    wrong = by_title(negotiate, "Wrong scheme: Bearer was sent, the server asks for Negotiate")
    assert "Kerberos" in wrong.remedy
    digest = await run(f"probe {gatekeepers.url('/digest')} --token {TOKEN}", gatekeepers)
    assert (
        "curl --digest"
        in by_title(digest, "Wrong scheme: Bearer was sent, the server asks for Digest").remedy
    )


async def test_matching_scheme_is_no_scheme_problem(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/scope')} --token {TOKEN}", gatekeepers)
    assert by_title(report, "The server asks for Bearer").status is Severity.INFO
    assert not [t for t in fails(report) if "Wrong scheme" in t]


async def test_anonymous_probe_only_reports_what_is_asked(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/negotiate')}", gatekeepers)
    # Issue 15 §5: the scheme the server demands is a warning with the way to send it.
    asked = by_title(report, "The server asks for Negotiate")
    assert asked.status is Severity.WARN
    assert "kinit" in asked.remedy
    assert not [t for t in fails(report) if "Wrong scheme" in t]


async def test_bearer_to_s3(gatekeepers: Gatekeepers) -> None:
    report = await run(f"probe {gatekeepers.url('/aws/s3')} --token {TOKEN}", gatekeepers)
    wrong = by_title(report, "Wrong scheme: Bearer was sent, the server asks for AWS SigV4")
    assert "--aws-sigv4" in wrong.remedy
    aws = by_title(report, "AWS says `InvalidArgument` (HTTP 400)")
    assert aws.status is Severity.FAIL
    assert "Unsupported Authorization Type" in aws.detail


async def test_sigv4_header_from_botocore_is_sent_as_given(gatekeepers: Gatekeepers) -> None:
    signed = sign()
    report = await run(
        f"probe {gatekeepers.url('/aws/s3')} --token '{signed.authorization}'",
        gatekeepers,
        signed.signature,
    )
    aws = by_title(report, "AWS says `SignatureDoesNotMatch` (HTTP 403)")
    assert aws.status is Severity.FAIL
    assert "secret access key" in aws.detail
    assert not [t for t in fails(report) if "Wrong scheme" in t]
    assert by_title(report, "Token sent").detail == (
        "As `Authorization: AWS4-HMAC-SHA256 <credentials>`."
    )


async def test_unknown_access_key(gatekeepers: Gatekeepers) -> None:
    gatekeepers.aws_keys.clear()
    signed = sign()
    report = await run(
        f"probe {gatekeepers.url('/aws/s3')} --token '{signed.authorization}'",
        gatekeepers,
        signed.signature,
    )
    aws = by_title(report, "AWS says `InvalidAccessKeyId`")
    assert "does not exist in our records" in aws.detail
    assert "partition" in aws.detail


async def test_request_time_too_skewed(gatekeepers: Gatekeepers) -> None:
    signed = sign()
    url = gatekeepers.url("/aws/error/RequestTimeTooSkewed")
    report = await run(f"probe {url} --token '{signed.authorization}'", gatekeepers)
    aws = by_title(report, "AWS says `RequestTimeTooSkewed` (HTTP 403)")
    assert "15 minutes" in aws.detail
    assert "NTP" in aws.remedy


async def test_api_gateway_missing_token_and_incomplete_signature(
    gatekeepers: Gatekeepers,
) -> None:
    anonymous = await run(f"probe {gatekeepers.url('/aws/apigw')}", gatekeepers)
    missing = by_title(anonymous, "AWS says `MissingAuthenticationToken` (HTTP 403)")
    assert missing.status is Severity.WARN
    assert "path or method that does not exist" in missing.detail
    report = await run(f"probe {gatekeepers.url('/aws/apigw')} --token {TOKEN}", gatekeepers)
    assert by_title(report, "AWS says `IncompleteSignature`").status is Severity.FAIL
    assert by_title(report, "Wrong scheme: Bearer was sent").status is Severity.FAIL
