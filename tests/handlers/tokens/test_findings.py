"""`tokens.findings` and `tokens.time_findings`: what a token tells offline, judged without a
command around it, so `decode` and `header` (its two callers) cannot drift apart."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from handlers.core.model import Severity
from handlers.core.redact import fingerprint
from handlers.tokens.findings import NOT_VERIFIED, builder, token_findings
from handlers.tokens.reading import decode_unverified
from handlers.tokens.time_findings import LEEWAY_S, exp_findings, future_findings

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def _b64(data: Mapping[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwt(**claims: object) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    return f"{_b64(header)}.{_b64(claims)}.{'s' * 43}"


def test_findings_carry_the_callers_check_and_the_fingerprint_not_the_token() -> None:
    token = _jwt(sub="svc", exp=int((NOW + timedelta(hours=1)).timestamp()))
    for check in ("decode", "header"):
        findings = token_findings(token, NOW, check)
        assert {f.check for f in findings} == {check}
        assert all(f.evidence["fingerprint"] == fingerprint(token) for f in findings)
        assert all(token not in f"{f.title} {f.detail} {f.remedy}" for f in findings)
        assert findings[-1].detail == NOT_VERIFIED


def test_an_expired_token_fails_and_a_live_one_is_ok() -> None:
    expired = _jwt(exp=int((NOW - timedelta(minutes=5)).timestamp()))
    live = _jwt(exp=int((NOW + timedelta(hours=2)).timestamp()), scope="read write")
    assert [
        f.title for f in token_findings(expired, NOW, "decode") if f.status is Severity.FAIL
    ] == ["Token expired 5 min ago"]
    ok = [f.title for f in token_findings(live, NOW, "decode") if f.status is Severity.OK]
    assert ok == ["Token valid for 2 h, scopes read write"]


def test_clock_skew_within_and_beyond_the_leeway() -> None:
    out = builder("decode", "t")
    within = decode_unverified(_jwt(nbf=int(NOW.timestamp()) + LEEWAY_S - 10))
    beyond = decode_unverified(_jwt(nbf=int(NOW.timestamp()) + LEEWAY_S + 10))
    assert [f.status for f in future_findings(out, within, NOW)] == [Severity.WARN]
    assert [f.status for f in future_findings(out, beyond, NOW)] == [Severity.FAIL]


def test_a_token_without_exp_is_a_warning() -> None:
    findings = exp_findings(builder("decode", "t"), decode_unverified(_jwt(sub="x")), NOW)
    assert [(f.status, f.title) for f in findings] == [
        (Severity.WARN, "Token has no `exp`: it never expires")
    ]


def test_opaque_and_basic_values_are_not_decoded() -> None:
    opaque = token_findings("ory_at_abcdefghijklmnopqrstuvwxyz0123456789", NOW, "decode")
    assert "introspect" in opaque[0].title
    basic = token_findings("Basic Y2xpZW50OnNlY3JldA==", NOW, "decode")
    assert basic[0].title == "These are Basic credentials, not a token"
