"""`header` on AWS SigV4: the value alone, a pasted curl command, a raw request dump (headers in
any order) and `curl --aws-sigv4`, signed by botocore; the signature and secret key never leak."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

from bot.cli.render import render
from handlers.commands.header import HeaderCheck
from handlers.commands.registry import default_registry
from handlers.core.check import Arguments, CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.handlers.schemes.test_sigv4 import (
    KEY_ID,
    SECRET_KEY,
    SESSION_TOKEN,
    TEMP_KEY_ID,
    Signed,
    sign,
)

URL = "https://s3.eu-central-1.amazonaws.com/orders/2024/report.csv"


def run(text: str, now: datetime) -> Report:
    inv = parse(text, default_registry())
    ctx = CheckContext(settings=Settings(), clock=lambda: now)
    report = asyncio.run(run_invocation(inv, ctx))
    assert_clean(json.dumps(report.to_dict()) + render(report), text)
    return report


def direct(text: str, now: datetime) -> list[Finding]:
    """The check without the runner's safety net: its own output must already be clean."""
    ctx = CheckContext(settings=Settings(), clock=lambda: now)
    findings = asyncio.run(HeaderCheck().run(Arguments({"value": text}), ctx))
    assert_clean(json.dumps([f.to_dict() for f in findings]), text)
    return findings


def assert_clean(blob: str, text: str) -> None:
    signature = text.split("Signature=", 1)[1][:64] if "Signature=" in text else None
    for secret in (signature, SECRET_KEY, SESSION_TOKEN, KEY_ID, TEMP_KEY_ID):
        if secret:
            assert secret not in blob


def curl(signed: Signed, *, drop: str = "") -> str:
    headers = [f"-H '{k}: {v}'" for k, v in signed.headers.items() if k != drop]
    return f"curl -sS {' '.join(headers)} -H 'Authorization: {signed.authorization}' '{URL}'"


def dump(signed: Signed) -> str:
    lines = [
        "Authorization: " + signed.authorization,
        "Host: s3.eu-central-1.amazonaws.com",
        *(f"{k.title()}: {v}" for k, v in signed.headers.items()),
    ]
    return "\n".join(lines)


def titles(report: Report | list[Finding], status: Severity | None = None) -> list[str]:
    findings = report.findings if isinstance(report, Report) else report
    return [f.title for f in findings if status is None or f.status is status]


def test_value_curl_and_dump_are_all_recognised() -> None:
    signed = sign()
    for text in (
        f"header {signed.authorization}",
        f"header Authorization: {signed.authorization}",
        f"header {curl(signed)}",
        f"header GET /orders/2024/report.csv HTTP/1.1\n{dump(signed)}",
        f"header {dump(signed)}",
    ):
        report = run(text, signed.when + timedelta(minutes=2))
        assert not report.status.is_problem, (text[:40], titles(report))
        assert "SigV4 header is well-formed" in titles(report, Severity.OK)
        assert "Unknown authentication scheme" not in " ".join(titles(report))


def test_curl_with_stale_signature_is_skewed() -> None:
    signed = sign()
    report = run(f"header {curl(signed)}", signed.when + timedelta(minutes=40))
    assert titles(report, Severity.FAIL) == [
        "The request time is 40 min behind now: more than 15 minutes"
    ]


def test_dump_with_mismatched_scope_date() -> None:
    signed = sign()
    other = (signed.when + timedelta(days=1)).strftime("%Y%m%d")
    text = dump(signed).replace(f"/{signed.when:%Y%m%d}/", f"/{other}/")
    report = run(f"header {text}", signed.when)
    assert f"The credential scope date {other} is not the X-Amz-Date date" in " ".join(
        titles(report, Severity.FAIL)
    )


def test_temporary_key_token_dropped_from_curl() -> None:
    signed = sign(key_id=TEMP_KEY_ID, token=SESSION_TOKEN)
    report = run(f"header {curl(signed, drop='x-amz-security-token')}", signed.when)
    fails = titles(report, Severity.FAIL)
    assert "A temporary key (`ASIA…`) without X-Amz-Security-Token" in fails
    assert "Signed header(s) not in the pasted request: x-amz-security-token" in titles(
        report, Severity.WARN
    )


def test_the_check_itself_never_shows_signature_or_key() -> None:
    signed = sign(key_id=TEMP_KEY_ID, token=SESSION_TOKEN)
    findings = direct(curl(signed), signed.when)
    assert findings[-1].evidence["access_key_id"] == "ASIA…7890"


def test_curl_aws_sigv4_signs_by_itself_and_hides_the_secret_key() -> None:
    now = datetime.fromisoformat("2026-11-25T10:00:00+00:00")
    text = f"curl --aws-sigv4 'aws:amz:eu-central-1:s3' --user '{KEY_ID}:{SECRET_KEY}' '{URL}'"
    findings = direct(text, now)
    assert titles(findings) == ["curl signs this request with SigV4 itself"]
    partial = direct(f"curl --aws-sigv4 aws:amz --user '{KEY_ID}:{SECRET_KEY}' '{URL}'", now)
    assert "`--aws-sigv4` without region and service" in titles(partial, Severity.WARN)
    no_user = direct(f"curl --aws-sigv4 'aws:amz:eu-central-1:s3' '{URL}'", now)
    assert "`--aws-sigv4` without `--user KEY_ID:SECRET`" in titles(no_user, Severity.FAIL)
