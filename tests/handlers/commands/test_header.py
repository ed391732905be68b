"""`header`: each lint has a test that fails without it; credentials never reach the output."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.commands.header import HeaderCheck
from handlers.commands.registry import default_registry
from handlers.core.check import Arguments, CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.jwts import at, make_jwt, signature_of

NOW = datetime(2026, 11, 25, 10, 31, 40, tzinfo=UTC)
JWT = make_jwt({"sub": "alice", "scope": "orders.read", "iat": at(NOW, -60), "exp": at(NOW, 7200)})
SECRET = "s3cr3t-Value-Qx7"


def basic(user: str, secret: str) -> str:
    return base64.b64encode(f"{user}:{secret}".encode()).decode()


def run_with(text: str) -> tuple[Report, CheckContext]:
    inv = parse(text, default_registry())
    ctx = CheckContext(settings=Settings(), clock=lambda: NOW)
    return asyncio.run(run_invocation(inv, ctx)), ctx


def run(text: str) -> Report:
    return run_with(text)[0]


def lint_direct(value: str) -> tuple[list[Finding], CheckContext]:
    """The check alone, without the runner's redaction: its own text must already be clean."""
    ctx = CheckContext(settings=Settings(), clock=lambda: NOW)
    return asyncio.run(HeaderCheck().run(Arguments({"value": value}), ctx)), ctx


def of(report: Report, status: Severity) -> list[Finding]:
    return [f for f in report.findings if f.status is status]


def dumped(report: Report) -> str:
    return json.dumps(report.to_dict())


@pytest.mark.parametrize(
    "text",
    [
        f"header Bearer {JWT}",
        f"header Authorization: Bearer {JWT}",
        f"header 'Authorization: Bearer {JWT}'",
        f"header curl -sS -H 'Authorization: Bearer {JWT}' https://api.example.com/orders",
        f'header curl --header "Authorization: Bearer {JWT}" https://api.example.com',
        f"header curl --header='Authorization: Bearer {JWT}' https://api.example.com",
        f"header curl -H'Authorization: Bearer {JWT}' https://api.example.com",
        "header curl https://api.example.com \\\n  -H 'Accept: json' \\\n"
        f"  -H 'Authorization: Bearer {JWT}'",
    ],
)
def test_clean_bearer_jwt_is_ok_with_expiry_in_every_paste_form(text: str) -> None:
    report = run(text)
    assert report.status is Severity.OK, [f.title for f in report.findings]
    (ok,) = report.findings
    assert ok.title == "Header is well-formed: Bearer <JWT>"
    assert "Token valid for 2 h" in ok.detail
    assert JWT not in dumped(report)
    assert signature_of(JWT) not in dumped(report)


def test_missing_scheme_for_a_bare_jwt() -> None:
    report = run(f"header Authorization: {JWT}")
    (bad,) = of(report, Severity.FAIL)
    assert bad.title.startswith("Missing scheme")
    assert "Bearer" in bad.remedy


def test_missing_scheme_for_bare_basic_credentials() -> None:
    report = run(f"header {basic('client', SECRET)}")
    (bad,) = of(report, Severity.FAIL)
    assert bad.title.startswith("Missing scheme")
    assert "Basic" in bad.remedy
    assert SECRET not in dumped(report)


@pytest.mark.parametrize(
    ("scheme", "guess"), [("Baerer", "Bearer"), ("Bearr", "Bearer"), ("Basik", "Basic")]
)
def test_misspelt_scheme_fails_with_a_guess(scheme: str, guess: str) -> None:
    report = run(f"header {scheme} {JWT}")
    bad = of(report, Severity.FAIL)
    assert bad[0].title == f"Misspelt scheme `{scheme}` (did you mean `{guess}`?)"


def test_lowercase_bearer_is_legal_but_noted() -> None:
    report = run(f"header bearer {JWT}")
    assert report.status is Severity.INFO
    assert "`bearer` instead of `Bearer`" in report.findings[0].title
    assert "RFC 7235" in report.findings[0].detail


def test_unknown_scheme_does_not_echo_the_word() -> None:
    word = "Zx9QpL2mK7wR4tY"
    report = run(f"header {word} {JWT}")
    assert any("Unknown authentication scheme" in f.title for f in of(report, Severity.WARN))
    assert word not in dumped(report)


def test_bearer_bearer_fails() -> None:
    report = run(f"header Authorization: Bearer Bearer {JWT}")
    assert any("`Bearer Bearer …`" in f.title for f in of(report, Severity.FAIL))
    # The token after the doubled scheme is still read.
    assert any("Token valid for 2 h" in f.detail for f in report.findings)


@pytest.mark.parametrize("quoted", [f'"{JWT}"', f"'{JWT}'", f'"{JWT}'])
def test_quotes_around_the_token_fail(quoted: str) -> None:
    report = run(f"header Authorization: Bearer {quoted}")
    assert any(f.title == "Quotes around the credentials" for f in of(report, Severity.FAIL))
    # The well-formed line is demoted: the header as a whole is not well-formed.
    assert not of(report, Severity.OK)


def test_trailing_whitespace_warns() -> None:
    report = run(f"header 'Authorization: Bearer {JWT}  '")
    assert [f.title for f in of(report, Severity.WARN)] == ["Whitespace around the header value"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_embedded_line_break_fails(newline: str) -> None:
    report = run(f"header Authorization: Bearer {JWT[:40]}{newline}{JWT[40:]}")
    assert any(f.title == "Line break inside the header value" for f in of(report, Severity.FAIL))
    assert JWT not in dumped(report)


def test_trailing_newline_inside_quotes_fails() -> None:
    report = run(f"header 'Bearer {JWT}\n'")
    assert any("Trailing line break" in f.title for f in of(report, Severity.FAIL))


def test_truncated_jwt_two_segments() -> None:
    report = run(f"header Bearer {JWT.rsplit('.', 1)[0]}")
    (bad,) = of(report, Severity.FAIL)
    assert "2 dot-separated segments" in bad.title
    assert "`decode` shows more" in bad.remedy


def test_truncated_jwt_header_only() -> None:
    report = run(f"header Bearer {JWT.split('.')[0]}")
    assert of(report, Severity.FAIL)[0].title == "Truncated JWT: only the header segment is present"


def test_jwt_with_broken_base64() -> None:
    head, body, sig = JWT.split(".")
    report = run(f"header Bearer {head}.{body[:-3]}.{sig}")
    assert any("not" in f.title and "payload" in f.title for f in of(report, Severity.FAIL))


def test_expired_bearer_jwt_fails() -> None:
    expired = make_jwt({"sub": "a", "iat": at(NOW, -7200), "exp": at(NOW, -3600)})
    report = run(f"header Bearer {expired}")
    assert [f.title for f in of(report, Severity.FAIL)] == ["Token expired 1 h ago"]


def test_opaque_bearer_token_is_ok_and_points_to_introspect() -> None:
    report = run("header Bearer ory_at_2YotnFZFEjr1zCsicMWpAAxyz.Tl8K0pQ3s9Hh1")
    assert report.status is Severity.OK
    assert "introspect" in report.findings[0].remedy


def test_bearer_token_with_forbidden_characters_warns() -> None:
    report = run("header Bearer abc%2Bdef{ghijklmnop}")
    warn = of(report, Severity.WARN)
    assert warn
    assert "U+007B" in warn[0].detail


def test_whitespace_inside_the_credentials_fails() -> None:
    report = run(f"header Bearer {JWT[:30]} {JWT[30:]}")
    assert any("contain whitespace" in f.title for f in of(report, Severity.FAIL))


def test_clean_basic_is_ok_and_secret_is_registered() -> None:
    report, ctx = run_with(f"header Authorization: Basic {basic('orders-client', SECRET)}")
    assert report.status is Severity.OK
    assert "orders-client" in report.findings[0].detail
    assert SECRET not in dumped(report)
    assert SECRET in ctx.redactor.secrets
    assert basic("orders-client", SECRET) in ctx.redactor.secrets


def test_basic_not_base64() -> None:
    report = run(f"header Basic client:{SECRET}")
    (bad,) = of(report, Severity.FAIL)
    assert bad.title == "Basic credentials are not valid base64"
    assert SECRET not in dumped(report)


def test_basic_without_colon() -> None:
    report = run(f"header Basic {base64.b64encode(SECRET.encode()).decode()}")
    (bad,) = of(report, Severity.FAIL)
    assert "no `:`" in bad.title
    assert SECRET not in dumped(report)


def test_basic_with_trailing_newline_names_echo_without_n() -> None:
    report = run(f"header Basic {basic('client', SECRET + chr(10))}")
    (bad,) = of(report, Severity.FAIL)
    assert "newline" in bad.title
    assert "`echo" in bad.detail
    assert "-n" in bad.remedy
    assert SECRET not in dumped(report)


def test_plus_in_secret_warns_and_explains_hydra_and_uaa() -> None:
    secret = "abc+def/ghi=="
    report = run(f"header Basic {basic('sb-app!t1', secret)}")
    (warn,) = of(report, Severity.WARN)
    assert warn.title == "The secret contains `+` (1×), `/` (1×), `=` (2×)"
    assert "Hydra" in warn.detail
    assert "space" in warn.detail
    assert "X-CF-ENCODED-CREDENTIALS: true" in warn.detail
    assert "%2B" in warn.remedy
    assert secret not in dumped(report)


def test_dollar_in_secret_and_id_is_info() -> None:
    secret = "f3b2c1d0-aaaa-bbbb-cccc-1234567890ab$Zm9vYmFyYmF6"
    report = run(f"header Basic {basic('sb-na-1234!t56', secret)}")
    info = of(report, Severity.INFO)
    assert [f.title for f in info] == ["The secret contains `$` (1×)"]
    assert info[0].evidence["special"] == {"$": 1}
    assert secret not in dumped(report)


def test_encoded_credentials_header_is_noticed() -> None:
    creds = basic("client", "a+b-secret-value")
    text = (
        f"header curl -H 'X-CF-ENCODED-CREDENTIALS: true' -H 'Authorization: Basic {creds}' "
        "https://uaa.example/oauth/token"
    )
    report = run(text)
    assert any("UAA URL-decodes too" in f.detail for f in of(report, Severity.WARN))


def test_jwt_sent_as_basic() -> None:
    report = run(f"header Authorization: Basic {JWT}")
    (bad,) = of(report, Severity.FAIL)
    assert bad.title == "A JWT sent with the Basic scheme"
    assert "Bearer" in bad.remedy


def test_curl_without_authorization_header() -> None:
    report = run("header curl -H 'Accept: application/json' https://api.example.com")
    assert of(report, Severity.FAIL)[0].title == "No Authorization header found"


def test_curl_with_two_authorization_headers() -> None:
    report = run(f"header curl -H 'Authorization: Bearer {JWT}' -H 'Authorization: Bearer x' u")
    assert any("2 Authorization headers" in f.title for f in of(report, Severity.FAIL))


def test_curl_user_option_is_linted_as_basic() -> None:
    report, ctx = run_with(f"header curl -u 'client:p+ss{SECRET}' https://hydra/oauth2/token")
    (warn,) = of(report, Severity.WARN)
    assert "`+` (1×)" in warn.title
    assert f"p+ss{SECRET}" in ctx.redactor.secrets
    assert SECRET not in dumped(report)


def test_direct_check_output_is_clean_without_the_runner() -> None:
    for value in (
        f"Bearer {JWT}",
        f"Basic {basic('client', SECRET)}",
        f"Basic {basic('client', SECRET + chr(10))}",
        f"Basic {basic('client', 'x+' + SECRET)}",
        f'Bearer "{SECRET}"',
        SECRET,
    ):
        findings, _ctx = lint_direct(value)
        text = json.dumps([f.to_dict() for f in findings])
        assert SECRET not in text, value
        assert signature_of(JWT) not in text
        assert JWT not in text


def test_missing_argument_is_usage_error() -> None:
    with pytest.raises(UsageError):
        parse("header", default_registry())


_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\u2028\u2029"),
    max_size=60,
)
_SHAPES = st.sampled_from(
    [
        "{b}{m}{a}",
        "Bearer {b}{m}{a}",
        "Authorization: Basic {b}{m}{a}",
        "curl -H 'Authorization: Bearer {b}{m}{a}' https://x",
        "curl -u {b}:{m}{a} https://x",
        "Bearer eyJ{b}.{m}.{a}",
        "Basic {m}",
    ]
)


def _well_formed(findings: list[Finding]) -> None:
    assert findings
    for f in findings:
        assert f.check in ("header", "input")  # input: the raw-text lint (issue 17)
        assert f.status is not Severity.ERROR, f.detail
        assert f.title
        assert "\n" not in f.title


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SHAPES, _TEXT, st.binary(min_size=6, max_size=10), _TEXT)
def test_garbage_never_breaks_header_or_leaks(
    shape: str, before: str, secret: bytes, after: str
) -> None:
    marker = "Sk" + secret.hex()
    value = shape.format(b=before, m=marker, a=after)
    try:
        report = run(f"header {value}")
    except UsageError:
        return
    _well_formed(report.findings)
    assert marker not in dumped(report)


@settings(max_examples=100, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=":"),
        min_size=1,
        max_size=20,
    ),
    st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=0, max_size=20
    ),
    st.binary(min_size=6, max_size=10),
)
def test_basic_secret_never_leaks_even_without_the_runner(
    user: str, noise: str, secret: bytes
) -> None:
    password = noise + "Pw" + secret.hex()
    findings, ctx = lint_direct(f"Authorization: Basic {basic(user, password)}")
    _well_formed(findings)
    text = json.dumps([f.to_dict() for f in findings])
    assert password not in text
    assert "Pw" + secret.hex() not in text
    assert password in ctx.redactor.secrets


def test_raw_request_dump_finds_the_authorization_line() -> None:
    text = f"header GET /orders HTTP/1.1\nHost: api.example.com\nauthorization: Bearer {JWT}\n"
    report = run(text)
    assert report.status is Severity.OK
    assert report.findings[0].title == "Header is well-formed: Bearer <JWT>"
