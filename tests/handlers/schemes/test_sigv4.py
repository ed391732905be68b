"""`sigv4`: headers signed by botocore's own signer parse and pass; each mutation that makes AWS
refuse a request is caught, and nothing secret is in the findings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from handlers.core.model import Finding, Severity
from handlers.schemes import sigv4

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
TEMP_KEY_ID = "ASIAXAMPLE1234567890"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE-session-token-value"


@dataclass(frozen=True)
class Signed:
    authorization: str
    headers: dict[str, str]  # lower-case names, as a pasted request carries them
    signature: str
    when: datetime


def sign(
    *,
    key_id: str = KEY_ID,
    token: str | None = None,
    service: str = "s3",
    region: str = "eu-central-1",
    url: str = "https://s3.eu-central-1.amazonaws.com/orders/2024/report.csv",
) -> Signed:
    """A request signed by botocore; the test clock is derived from its X-Amz-Date."""
    request = AWSRequest(
        method="GET", url=url, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    )
    SigV4Auth(Credentials(key_id, SECRET_KEY, token), service, region).add_auth(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    authorization = headers.pop("authorization")
    when = datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return Signed(authorization, headers, authorization.rsplit("Signature=", 1)[1], when)


def problems(findings: list[Finding]) -> list[str]:
    return [f.title for f in findings if f.status.is_problem]


def check(value: str, headers: dict[str, str] | None, now: datetime) -> list[Finding]:
    findings, secrets = sigv4.lint(value, headers, now)
    blob = json.dumps([f.to_dict() for f in findings])
    for secret in (*secrets, SECRET_KEY, SESSION_TOKEN, KEY_ID, TEMP_KEY_ID):
        assert secret not in blob
    return findings


def test_botocore_signature_parses_into_its_parts() -> None:
    signed = sign()
    parsed = sigv4.parse(signed.authorization)
    assert parsed.algorithm == "AWS4-HMAC-SHA256"
    assert parsed.problems == []
    assert parsed.components["Credential"] == (
        f"{KEY_ID}/{signed.when:%Y%m%d}/eu-central-1/s3/aws4_request"
    )
    assert parsed.components["SignedHeaders"] == "host;x-amz-content-sha256;x-amz-date"
    assert parsed.components["Signature"] == signed.signature


@pytest.mark.parametrize(
    ("service", "region", "url"),
    [
        ("s3", "eu-central-1", "https://s3.eu-central-1.amazonaws.com/orders/x"),
        ("execute-api", "us-east-1", "https://abc123.execute-api.us-east-1.amazonaws.com/prod/x"),
        ("sts", "us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com/"),
    ],
)
def test_botocore_signed_requests_are_ok(service: str, region: str, url: str) -> None:
    signed = sign(service=service, region=region, url=url)
    findings = check(signed.authorization, signed.headers, signed.when + timedelta(seconds=30))
    assert problems(findings) == []
    (ok,) = findings
    assert ok.title == "SigV4 header is well-formed"
    assert f"Region {region}, service {service}" in ok.detail
    assert ok.evidence["access_key_id"] == "AKIA…MPLE"


def test_temporary_key_with_its_session_token_is_ok_and_without_it_fails() -> None:
    signed = sign(key_id=TEMP_KEY_ID, token=SESSION_TOKEN)
    assert "x-amz-security-token" in signed.authorization
    assert problems(check(signed.authorization, signed.headers, signed.when)) == []
    without = {k: v for k, v in signed.headers.items() if k != "x-amz-security-token"}
    titles = problems(check(signed.authorization, without, signed.when))
    assert "A temporary key (`ASIA…`) without X-Amz-Security-Token" in titles


def test_skew_beyond_15_minutes_either_way() -> None:
    signed = sign()
    fine = check(signed.authorization, signed.headers, signed.when + timedelta(minutes=14))
    assert problems(fine) == []
    late = problems(
        check(signed.authorization, signed.headers, signed.when + timedelta(minutes=16))
    )
    assert late == ["The request time is 16 min behind now: more than 15 minutes"]
    early = problems(check(signed.authorization, signed.headers, signed.when - timedelta(hours=3)))
    assert early == ["The request time is 3 h ahead of now: more than 15 minutes"]


def test_credential_date_not_the_x_amz_date() -> None:
    signed = sign()
    other_day = (signed.when - timedelta(days=1)).strftime("%Y%m%d")
    value = signed.authorization.replace(f"/{signed.when:%Y%m%d}/", f"/{other_day}/")
    titles = problems(check(value, signed.headers, signed.when))
    assert titles == [
        f"The credential scope date {other_day} is not the X-Amz-Date date {signed.when:%Y%m%d}"
    ]


def test_host_missing_from_signed_headers() -> None:
    signed = sign()
    value = signed.authorization.replace("SignedHeaders=host;", "SignedHeaders=")
    assert problems(check(value, signed.headers, signed.when)) == [
        "`host` is missing from SignedHeaders"
    ]


@pytest.mark.parametrize(
    ("mutate", "title"),
    [
        (lambda v: v.replace(", SignedHeaders", " SignedHeaders"), "are not separated by a comma"),
        (lambda v: v.replace("Credential=", "credential="), "written `credential`"),
        (lambda v: v.rsplit(", Signature=", 1)[0], "has no `Signature`"),
        (lambda v: v[:-10], "not 64 lower-case hex digits"),
        (lambda v: v[:-64] + v[-64:].upper(), "not 64 lower-case hex digits"),
        (lambda v: v.replace("/aws4_request", "/aws4-request"), "does not end with"),
        (lambda v: v.replace("eu-central-1", "EU-Central-1"), "is not a region code"),
        (lambda v: v.replace("/s3/", "/"), "has 4 parts, not 5"),
        (lambda v: v.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"), "Unknown SigV4 algorithm"),
        (lambda v: v.replace(KEY_ID, "wJalrXUtnFEMI-K7MDENG"), "access key id is malformed"),
        (
            lambda v: v.replace("host;x-amz-content-sha256", "x-amz-content-sha256;host"),
            "not a sorted",
        ),
        (lambda v: v.replace(";x-amz-date", ""), "X-Amz-Date is sent but not signed"),
    ],
)
def test_malformed_parts(mutate: object, title: str) -> None:
    signed = sign()
    value = mutate(signed.authorization)  # type: ignore[operator]
    titles = problems(check(value, signed.headers, signed.when))
    assert any(title in t for t in titles), titles


def test_bad_x_amz_date_and_missing_date() -> None:
    signed = sign()
    iso = dict(signed.headers, **{"x-amz-date": signed.when.isoformat()})
    assert "X-Amz-Date is not in the basic ISO 8601 form" in problems(
        check(signed.authorization, iso, signed.when)
    )
    bare = {k: v for k, v in signed.headers.items() if k != "x-amz-date"}
    assert "The request has no X-Amz-Date (or Date) header" in problems(
        check(signed.authorization, bare, signed.when)
    )


def test_value_alone_compares_the_scope_date_with_today() -> None:
    signed = sign()
    (info,) = check(signed.authorization, None, signed.when)[:1]
    assert info.status is Severity.INFO
    assert info.title == "Request time not checked: only the header value was pasted"
    stale = problems(check(signed.authorization, None, signed.when + timedelta(days=3)))
    assert stale == ["The credential scope date is 3 days from today"]
