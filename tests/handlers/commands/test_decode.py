"""`decode`: every catch has a test that fails without it, through the real parse → run path."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.commands.decode import DecodeCheck
from handlers.commands.registry import default_registry
from handlers.core.check import Arguments, CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.redact import fingerprint
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.jwts import at, b64url, crafted, make_jwt, signature_of, unsigned_jwt

NOW = datetime(2026, 11, 25, 10, 31, 40, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]


def run(text: str, now: datetime = NOW) -> Report:
    inv = parse(text, default_registry())
    ctx = CheckContext(settings=Settings(), clock=lambda: now)
    return asyncio.run(run_invocation(inv, ctx))


def good_claims(**extra: Any) -> dict[str, Any]:
    return {
        "iss": "https://issuer.example/",
        "sub": "alice",
        "aud": ["orders"],
        "scope": "orders.read",
        "iat": at(NOW, -60),
        "exp": at(NOW, 3600),
        **extra,
    }


def by_status(report: Report, status: Severity) -> list[Finding]:
    return [f for f in report.findings if f.status is status]


def titles(report: Report) -> str:
    return "\n".join(f.title for f in report.findings)


def assert_no_leak(report: Report, token: str) -> None:
    dumped = json.dumps(report.to_dict())
    assert token not in dumped
    if token.count(".") == 2 and len(signature_of(token)) >= 8:
        assert signature_of(token) not in dumped


def test_good_token_is_ok_and_says_signature_not_verified() -> None:
    token = make_jwt(good_claims(), headers={"kid": "key-1"})
    report = run(f"decode {token}")
    # info, not ok: the "signature NOT verified" note is information the reader must see.
    assert report.status is Severity.INFO
    assert any(f.title == "Signature NOT verified" for f in report.findings)
    assert [f.title for f in by_status(report, Severity.OK)] == [
        "Token valid for 1 h, scopes orders.read"
    ]
    # The first line of the answer is the good verdict, not the first note (issue 17).
    assert report.verdict == "OK — Token valid for 1 h, scopes orders.read"
    header = report.findings[0]
    assert header.title == "JWT header: alg HS256, typ JWT, kid key-1"
    assert 'sub: "alice"' in header.detail
    assert "exp: 2026-11-25 11:31:40 UTC (in 1 h)" in header.detail
    assert "iat: 2026-11-25 10:30:40 UTC (1 min ago)" in header.detail
    assert all(f.evidence["fingerprint"] == fingerprint(token) for f in report.findings)
    assert_no_leak(report, token)


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", "Authorization: Bearer ", '"'])
def test_pasted_header_forms_decode_the_same_token(prefix: str) -> None:
    token = make_jwt(good_claims())
    suffix = '"' if prefix == '"' else ""
    report = run(f"decode {prefix}{token}{suffix}")
    assert report.status is Severity.INFO
    assert len(by_status(report, Severity.OK)) == 1
    assert report.findings[0].evidence["fingerprint"] == fingerprint(token)
    assert_no_leak(report, token)


def test_expired_token_fails_with_relative_time() -> None:
    token = make_jwt(good_claims(iat=at(NOW, -4 * 3600), exp=at(NOW, -3 * 3600 - 20)))
    report = run(f"decode {token}")
    assert report.status is Severity.FAIL
    (expired,) = by_status(report, Severity.FAIL)
    assert expired.title == "Token expired 3 h ago"
    assert expired.remedy
    assert_no_leak(report, token)


def test_token_about_to_expire_warns() -> None:
    report = run(f"decode {make_jwt(good_claims(exp=at(NOW, 30)))}")
    assert [f.title for f in by_status(report, Severity.WARN)] == ["Token expires in 30 s"]


def test_alg_none_fails() -> None:
    token = unsigned_jwt(good_claims())
    report = run(f"decode {token}")
    assert [f.title for f in by_status(report, Severity.FAIL)] == [
        "Unsigned token: `alg` is `none`"
    ]


def test_header_without_alg_fails() -> None:
    report = run(f"decode {crafted({'typ': 'JWT'}, good_claims())}")
    assert any("no `alg`" in f.title for f in by_status(report, Severity.FAIL))


def test_cut_off_signature_fails() -> None:
    token = make_jwt(good_claims())
    report = run(f"decode {token.rsplit('.', 1)[0]}.")
    assert any("Signature segment is empty" in f.title for f in by_status(report, Severity.FAIL))


@pytest.mark.parametrize(("claim", "ahead"), [("nbf", 120), ("iat", 240)])
def test_future_times_within_leeway_warn_and_show_leeway(claim: str, ahead: int) -> None:
    report = run(f"decode {make_jwt(good_claims(**{claim: at(NOW, ahead)}))}")
    (skew,) = by_status(report, Severity.WARN)
    meaning = "not valid before" if claim == "nbf" else "issued at"
    assert skew.title == f"Clock skew: `{claim}` ({meaning}) is {ahead} s in the future"
    assert skew.evidence["leeway_s"] == 300
    assert "300 s leeway" in skew.detail
    assert report.status is Severity.WARN


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_future_times_beyond_leeway_fail(claim: str) -> None:
    report = run(f"decode {make_jwt(good_claims(**{claim: at(NOW, 1800)}))}")
    assert any(
        f"`{claim}`" in f.title and "Clock skew" in f.title
        for f in by_status(report, Severity.FAIL)
    )


def test_missing_exp_warns() -> None:
    claims = good_claims()
    del claims["exp"]
    report = run(f"decode {make_jwt(claims)}")
    assert [f.title for f in by_status(report, Severity.WARN)] == [
        "Token has no `exp`: it never expires"
    ]


def test_exp_in_milliseconds_is_called_out() -> None:
    report = run(f"decode {make_jwt(good_claims(exp=at(NOW, 3600) * 1000))}")
    (bad,) = by_status(report, Severity.FAIL)
    assert "NumericDate" in bad.title
    assert "milliseconds" in bad.detail


def test_exp_before_iat_fails() -> None:
    report = run(f"decode {make_jwt(good_claims(iat=at(NOW, -60), exp=at(NOW, -120)))}")
    assert any("born expired" in f.title for f in by_status(report, Severity.FAIL))


@pytest.mark.parametrize(
    ("extra", "headers"),
    [
        ({"token_use": "refresh_token"}, None),
        ({"typ": "Refresh"}, None),
        ({}, {"typ": "refresh+jwt"}),
    ],
)
def test_refresh_token_used_as_access_token_fails(
    extra: dict[str, Any], headers: dict[str, Any] | None
) -> None:
    report = run(f"decode {make_jwt(good_claims(**extra), headers=headers)}")
    assert any("refresh token" in f.title for f in by_status(report, Severity.FAIL))


def test_id_token_warns() -> None:
    claims = good_claims(nonce="n-0S6_WzA2Mj", at_hash="77QmUPtjPfzWtF2AnpK9RQ")
    del claims["scope"]
    report = run(f"decode {make_jwt(claims)}")
    assert any("ID token" in f.title for f in by_status(report, Severity.WARN))


@pytest.mark.parametrize(
    "token",
    [
        "ory_at_2YotnFZFEjr1zCsicMWpAAxyz.Tl8K0pQ3s9Hh1",
        "2YotnFZFEjr1zCsicMWpAA",
        "mF_9.B5f-4",
    ],
)
def test_opaque_token_is_info_not_error(token: str) -> None:
    report = run(f"decode {token}")
    assert report.status is Severity.INFO
    assert report.findings[0].title.startswith("Opaque token: only introspection can tell")
    assert "`introspect`" in report.findings[0].title
    assert any("NOT verified" in f.title for f in report.findings)


def test_opaque_hydra_refresh_token_fails() -> None:
    report = run("decode ory_rt_2YotnFZFEjr1zCsicMWpAAxyz.Tl8K0pQ3s9Hh1")
    assert report.status is Severity.FAIL
    assert "refresh token" in report.findings[0].title


def test_two_segments_is_truncated_jwt_not_opaque() -> None:
    token = make_jwt(good_claims())
    report = run(f"decode {token.rsplit('.', 1)[0]}")
    (bad,) = by_status(report, Severity.FAIL)
    assert "2 dot-separated segments" in bad.title
    assert "cut short" in bad.detail
    assert "signature" in bad.detail
    assert bad.evidence["segments"] == 2


def test_four_segments_fail() -> None:
    report = run(f"decode {make_jwt(good_claims())}.extra")
    (bad,) = by_status(report, Severity.FAIL)
    assert "4 dot-separated segments" in bad.title


def test_five_segments_jwe_cannot_be_read() -> None:
    jwe = ".".join(
        [b64url({"alg": "RSA-OAEP", "enc": "A256GCM"}), "ZW5j", "aXY", "Y2lwaGVy", "dGFn"]
    )
    report = run(f"decode {jwe}")
    assert report.status is Severity.INFO
    assert "JWE" in report.findings[0].title
    assert "introspect" in report.findings[0].remedy


def test_broken_base64url_names_segment() -> None:
    head, body, sig = make_jwt(good_claims()).split(".")
    report = run(f"decode {head}.{body[:10]}+{body[11:]}.{sig}")
    (bad,) = by_status(report, Severity.FAIL)
    assert "payload (the 2nd segment) is not valid base64url" in bad.title
    assert "standard base64" in bad.title
    assert bad.evidence["part"] == "payload"


def test_non_json_payload_fails() -> None:
    report = run(f"decode {crafted({'alg': 'HS256'}, b'{not json')}")
    (bad,) = by_status(report, Severity.FAIL)
    assert "not JSON" in bad.title
    assert bad.remedy


def test_blank_after_stripping_scheme() -> None:
    report = run('decode Bearer ""')
    assert report.findings[0].title == "Nothing left to decode"


def test_missing_argument_is_usage_error() -> None:
    with pytest.raises(UsageError):
        parse("decode", default_registry())


def test_the_check_itself_never_prints_the_token() -> None:
    """Without the runner's safety net: the check's own text must already be clean."""
    token = make_jwt(good_claims(exp=at(NOW, -10)))
    ctx = CheckContext(settings=Settings(), clock=lambda: NOW)
    findings = asyncio.run(DecodeCheck().run(Arguments({"token": f"Bearer {token}"}), ctx))
    dumped = json.dumps([f.to_dict() for f in findings])
    assert token not in dumped
    assert signature_of(token) not in dumped
    assert token in ctx.redactor.secrets


_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\u2028\u2029"),
    max_size=80,
)


def _well_formed(report: Report) -> None:
    assert report.command == "decode"
    assert report.findings
    for f in report.findings:
        assert f.check in ("decode", "input")  # input: the raw-text lint (issue 17)
        assert f.status is not Severity.ERROR, f.detail
        assert f.title
        assert "\n" not in f.title
        if f.check == "decode":
            assert f.evidence["fingerprint"].startswith("sha256:")
    assert sum("NOT verified" in f.title for f in report.findings) == 1


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.binary(min_size=6, max_size=10), _TEXT, st.sampled_from(["", "Bearer ", "eyJ"]))
def test_garbage_never_breaks_decode_or_leaks(
    before: str, secret: bytes, after: str, prefix: str
) -> None:
    marker = "Sk" + secret.hex()
    text = f"decode {prefix}{before}{marker}{after}"
    try:
        report = run(text)
    except UsageError:
        return
    _well_formed(report)
    assert marker not in json.dumps(report.to_dict())


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["sub", "exp", "nbf", "iat", "scope", "typ", "nonce", "aud"]),
        st.one_of(st.integers(), st.text(max_size=20), st.none(), st.booleans()),
    ),
    st.integers(min_value=0, max_value=2),
)
def test_arbitrary_claims_and_truncation(claims: dict[str, Any], cut: int) -> None:
    token = make_jwt(claims)
    token = token[: len(token) - cut * 7]
    report = run(f"decode {token}")
    _well_formed(report)
    assert_no_leak(report, token)


def _cli(text: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("authcheck")
    return subprocess.run(
        [str(exe), "run", "--json", "--", *text.split(" ")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_cli_exit_codes_and_contract_shape() -> None:
    now = datetime.now(UTC)  # the CLI uses the real clock; tokens are built relative to it
    expired = make_jwt({"sub": "alice", "exp": int(now.timestamp()) - 3 * 3600 - 30})
    fresh = make_jwt({"sub": "alice", "exp": int(time.time()) + 3600})

    bad = _cli(f"decode {expired}")
    assert bad.returncode == 1, bad.stderr
    data = json.loads(bad.stdout)
    assert set(data) == {"command", "status", "duration_ms", "findings"}
    assert data["command"] == "decode"
    assert data["status"] == "fail"
    for f in data["findings"]:
        assert set(f) == {"check", "status", "title", "detail", "remedy", "evidence"}
    assert any(f["title"] == "Token expired 3 h ago" for f in data["findings"])
    assert expired not in bad.stdout
    assert signature_of(expired) not in bad.stdout

    good = _cli(f"decode {fresh}")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["status"] == "info"
    assert fresh not in good.stdout

    usage = _cli("decode")
    assert usage.returncode == 2


def test_basic_credentials_are_pointed_to_header() -> None:
    report = run("decode Authorization: Basic Y2xpZW50OnMzY3IzdC1WYWx1ZQ==")
    assert report.findings[0].title == "These are Basic credentials, not a token"
    assert "Y2xpZW50OnMzY3IzdC1WYWx1ZQ==" not in json.dumps(report.to_dict())


def test_token_with_whitespace_inside_fails() -> None:
    token = make_jwt(good_claims())
    report = run(f"decode {token[:30]}\n{token[30:]}")
    assert report.findings[0].title == "The token contains whitespace"
    assert report.status is Severity.FAIL
