"""Verdict corpus on recorded answers of gateways people put in front of APIs.

A small aiohttp server replays, per path, what the real product answers without a token and with
one (status, headers, body), byte for byte as recorded in the sources named on each `Recorded`
(the same sources as the shared gateway table, `handlers/gateways/catalog.py`). `probe`,
`diagnose` and `explain` run against them through parse → run_invocation; `judge` classifies
the headline.
"""

from __future__ import annotations

import secrets
import shlex
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import jwt
import pytest
import pytest_asyncio
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from handlers.core.model import Report, Severity
from tests.scenarios.corpus.conftest import Case, Judge
from tests.scenarios.corpus.running import no_hydra_settings, run_scanned

PEER = "recorded"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    product: str
    source: str
    anonymous: Answer
    with_token: Answer


_JSON = {"Content-Type": "application/json; charset=utf-8"}
_KONG = {**_JSON, "Server": "kong/3.4.2", "X-Kong-Response-Latency": "1"}
_AWS = {
    "Content-Type": "application/json",
    "x-amzn-RequestId": "c0ffee00-1111-2222-3333-444455556666",
    "x-amzn-ErrorType": "UnauthorizedException",
}
_AWS_DENY = {**_AWS, "x-amzn-ErrorType": "AccessDeniedException"}
_APIGEE_INVALID = (
    '{"fault":{"faultstring":"Invalid access token","detail":{"errorcode":'
    '"oauth.v2.InvalidAccessToken"}}}'
)
_ESP_MISSING = (
    '{\n "code": 16,\n "message": "JWT validation failed: Missing or invalid credentials",\n'
    ' "details": [\n  {\n   "@type": "type.googleapis.com/google.rpc.DebugInfo",\n'
    '   "stackEntries": [],\n   "detail": "auth"\n  }\n ]\n}\n'
)
_APIM_MISSING = (
    '{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure '
    'to include subscription key when making requests to an API." }'
)
_S3 = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>'  # noqa: E501

RECORDED: dict[str, Recorded] = {
    "/kong/key-auth": Recorded(
        "Kong key-auth",
        "Kong/kong kong/plugins/key-auth/handler.lua: ERR 401 'No API key found in request' with "
        '`WWW-Authenticate: Key realm="kong"`; kong.response.error\'s JSON layout',
        Answer(
            401,
            '{\n  "message":"No API key found in request"\n}',
            {**_KONG, "WWW-Authenticate": 'Key realm="kong"'},
        ),
        Answer(
            401,
            '{\n  "message":"No API key found in request"\n}',
            {**_KONG, "WWW-Authenticate": 'Key realm="kong"'},
        ),
    ),
    "/kong/jwt": Recorded(
        "Kong jwt",
        "Kong/kong kong/plugins/jwt/handler.lua: no token → 401 Unauthorized; claim errors → "
        '401 with the errors table (`{"exp":"token expired"}`)',
        Answer(401, '{\n  "message":"Unauthorized"\n}', _KONG),
        Answer(401, '{\n  "exp":"token expired"\n}', _KONG),
    ),
    "/aws/authorizer": Recorded(
        "AWS API Gateway Lambda authorizer",
        "AWS API Gateway UNAUTHORIZED gateway response (default body and x-amzn-ErrorType)",
        Answer(401, '{"message":"Unauthorized"}', _AWS),
        Answer(401, '{"message":"Unauthorized"}', _AWS),
    ),
    "/aws/deny": Recorded(
        "AWS API Gateway Lambda authorizer (Deny policy)",
        "AWS API Gateway ACCESS_DENIED gateway response for an explicit Deny",
        Answer(401, '{"message":"Unauthorized"}', _AWS),
        Answer(
            403,
            '{"Message":"User is not authorized to access this resource with an explicit deny"}',
            _AWS_DENY,
        ),
    ),
    "/aws/cognito": Recorded(
        "AWS API Gateway Cognito authorizer",
        "AWS API Gateway Cognito user pool authorizer, expired token",
        Answer(401, '{"message":"Unauthorized"}', _AWS),
        Answer(401, '{"message":"The incoming token has expired"}', _AWS),
    ),
    "/apigee/scope": Recorded(
        "Apigee VerifyAccessToken with <Scope>",
        "Apigee OAuthV2 policy error reference: oauth.v2.InvalidAccessToken, "
        "steps.oauth.v2.InsufficientScope",
        Answer(401, _APIGEE_INVALID, _JSON),
        Answer(
            403,
            '{"fault":{"faultstring":"Required scope(s) : orders.write","detail":{"errorcode":'
            '"steps.oauth.v2.InsufficientScope"}}}',
            _JSON,
        ),
    ),
    "/apigee/expired": Recorded(
        "Apigee VerifyAccessToken",
        "Apigee OAuth HTTP status code reference: keymanagement.service.access_token_expired",
        Answer(401, _APIGEE_INVALID, _JSON),
        Answer(
            401,
            '{"fault":{"faultstring":"Access Token expired","detail":{"errorcode":'
            '"keymanagement.service.access_token_expired"}}}',
            _JSON,
        ),
    ),
    "/apim/subscription": Recorded(
        "Azure API Management (subscription required)",
        "Azure APIM gateway answer quoted verbatim in pvandenheede.wordpress.com (2017) and "
        "Microsoft Q&A 5922487",
        Answer(401, _APIM_MISSING, _JSON),
        Answer(401, _APIM_MISSING, _JSON),
    ),
    "/esp/keys": Recorded(
        "Google Cloud Endpoints ESP",
        "cloudendpoints/esp issues #303 and #832 (bodies quoted verbatim)",
        Answer(401, _ESP_MISSING, _JSON),
        Answer(
            401,
            _ESP_MISSING.replace(
                "Missing or invalid credentials", "Unable to fetch verification key"
            ),
            _JSON,
        ),
    ),
    "/traefik/basic": Recorded(
        "Traefik BasicAuth middleware",
        "traefik/traefik pkg/middlewares/auth/basic_auth.go (realm `traefik`, Go's "
        "`401 Unauthorized` text)",
        Answer(
            401,
            "401 Unauthorized\n",
            {"Content-Type": "text/plain", "WWW-Authenticate": 'Basic realm="traefik"'},
        ),
        Answer(
            401,
            "401 Unauthorized\n",
            {"Content-Type": "text/plain", "WWW-Authenticate": 'Basic realm="traefik"'},
        ),
    ),
    "/oauth2-proxy": Recorded(
        "oauth2-proxy in front of an API route",
        "oauth2/oauth2-proxy: unauthenticated browser requests get 302 to /oauth2/sign_in "
        "(`rd=` the original path); a Bearer token is not read without --skip-jwt-bearer-tokens",
        Answer(302, "", {"Location": "/oauth2/sign_in?rd=%2Forders", "Content-Length": "0"}),
        Answer(302, "", {"Location": "/oauth2/sign_in?rd=%2Forders", "Content-Length": "0"}),
    ),
    "/s3/skewed": Recorded(
        "Amazon S3",
        "S3 error responses (RequestTimeTooSkewed, AccessDenied)",
        Answer(
            403,
            _S3.format(code="AccessDenied", message="Access Denied"),
            {"Content-Type": "application/xml", "Server": "AmazonS3"},
        ),
        Answer(
            403,
            _S3.format(
                code="RequestTimeTooSkewed",
                message="The difference between the request time and the current time is too "
                "large.",
            ),
            {"Content-Type": "application/xml", "Server": "AmazonS3"},
        ),
    ),
}


def _expired_jwt() -> str:
    now = int(time.time())
    body = {"iss": "https://issuer.recorded.test/", "sub": "svc", "iat": now - 4000}
    return jwt.encode({**body, "exp": now - 600}, _KEY, algorithm="RS256", headers={"kid": "r1"})


def _valid_jwt() -> str:
    now = int(time.time())
    body = {"iss": "https://issuer.recorded.test/", "sub": "svc", "iat": now - 60}
    return jwt.encode({**body, "exp": now + 3000}, _KEY, algorithm="RS256", headers={"kid": "r1"})


def _opaque() -> str:
    return "opaque-" + secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Row:
    case: Case
    command: str
    path: str
    token: Callable[[], str] | None = None


ROWS = [
    Row(
        Case(
            "kong-key-auth-bearer-sent",
            PEER,
            "Kong key-auth reads an API key (`apikey`); a Bearer token is never looked at",
            "wrong_credential",
        ),
        "diagnose",
        "/kong/key-auth",
        _valid_jwt,
    ),
    Row(
        Case(
            "kong-key-auth-bearer-sent-probe",
            PEER,
            "The same through `probe`",
            "reads an API key",
        ),
        "probe",
        "/kong/key-auth",
        _valid_jwt,
    ),
    Row(
        Case(
            "kong-key-auth-no-token",
            PEER,
            "Nothing sent to Kong key-auth",
            "no_token",
        ),
        "diagnose",
        "/kong/key-auth",
    ),
    Row(
        Case(
            "kong-jwt-expired",
            PEER,
            "Kong's jwt plugin refuses an expired JWT",
            "token_expired",
        ),
        "diagnose",
        "/kong/jwt",
        _expired_jwt,
    ),
    Row(
        Case(
            "aws-authorizer-expired-jwt",
            PEER,
            "An API Gateway Lambda authorizer says only Unauthorized; the JWT's `exp` has passed",
            "token_expired",
        ),
        "diagnose",
        "/aws/authorizer",
        _expired_jwt,
    ),
    Row(
        Case(
            "aws-authorizer-explicit-deny",
            PEER,
            "The authorizer authenticated the caller and returned a Deny policy",
            "rule_refused",
        ),
        "diagnose",
        "/aws/deny",
        _valid_jwt,
    ),
    Row(
        Case(
            "aws-cognito-expired-opaque",
            PEER,
            "A Cognito authorizer says the incoming token has expired (nothing to decode)",
            "token_expired",
        ),
        "diagnose",
        "/aws/cognito",
        _opaque,
    ),
    Row(
        Case(
            "apigee-insufficient-scope",
            PEER,
            "Apigee VerifyAccessToken with <Scope>orders.write</Scope>; the token lacks it",
            "scope_missing",
        ),
        "diagnose",
        "/apigee/scope",
        _opaque,
    ),
    Row(
        Case(
            "apigee-access-token-expired",
            PEER,
            "Apigee says the access token expired",
            "token_expired",
        ),
        "diagnose",
        "/apigee/expired",
        _opaque,
    ),
    Row(
        Case(
            "apim-missing-subscription-key",
            PEER,
            "Azure APIM requires a subscription key; a Bearer token does not replace it",
            "wrong_credential",
        ),
        "diagnose",
        "/apim/subscription",
        _valid_jwt,
    ),
    Row(
        Case(
            "apim-missing-subscription-key-no-token-probe",
            PEER,
            "Nothing sent to Azure APIM",
            "No token was sent",
        ),
        "probe",
        "/apim/subscription",
    ),
    Row(
        Case(
            "esp-cannot-fetch-keys",
            PEER,
            "ESP cannot download the provider's JWKS: the gateway failed, not the token",
            "gateway_failed",
        ),
        "diagnose",
        "/esp/keys",
        _valid_jwt,
    ),
    Row(
        Case(
            "esp-no-token",
            PEER,
            "Nothing sent to ESP",
            "no_token",
        ),
        "diagnose",
        "/esp/keys",
    ),
    Row(
        Case(
            "traefik-basic-auth",
            PEER,
            "Traefik's BasicAuth middleware wants user:password; a Bearer token is not read",
            "wrong_credential",
        ),
        "diagnose",
        "/traefik/basic",
        _valid_jwt,
    ),
    Row(
        Case(
            "s3-request-time-too-skewed",
            PEER,
            "S3 says RequestTimeTooSkewed: the cause is stated, lead with it",
            "RequestTimeTooSkewed",
        ),
        "probe",
        "/s3/skewed",
        _valid_jwt,
    ),
    Row(
        Case(
            "s3-request-time-too-skewed-diagnose",
            PEER,
            "The same through `diagnose`",
            "aws_error",
        ),
        "diagnose",
        "/s3/skewed",
        _valid_jwt,
    ),
]

ROWS += [
    Row(
        Case(
            "oauth2-proxy-login-redirect",
            PEER,
            "oauth2-proxy sends API callers to its login page: a browser route",
            "login_redirect",
        ),
        "diagnose",
        "/oauth2-proxy",
        _valid_jwt,
    ),
    Row(
        Case(
            "oauth2-proxy-login-redirect-no-token-probe",
            PEER,
            "The same without a token, through `probe`: the redirect is the finding",
            "redirects to a login page",
        ),
        "probe",
        "/oauth2-proxy",
    ),
]

EXPLAIN_ROWS = [
    (
        Case("explain-kong", PEER, "Kong key-auth's body", "Kong Gateway", Severity.INFO),
        "/kong/key-auth",
    ),
    (
        Case("explain-apim", PEER, "Azure APIM's body", "Azure API Management", Severity.INFO),
        "/apim/subscription",
    ),
    (
        Case("explain-apigee", PEER, "Apigee's fault body", "Apigee", Severity.INFO),
        "/apigee/expired",
    ),
    (Case("explain-esp", PEER, "ESP's body", "Google Cloud Endpoints", Severity.INFO), "/esp/keys"),
    (
        Case(
            "explain-aws-unauthorized",
            PEER,
            "API Gateway's body (Kong's is the same)",
            "Kong or AWS API Gateway",
            Severity.INFO,
        ),
        "/aws/authorizer",
    ),
]


async def _replay(request: web.Request) -> web.StreamResponse:
    recorded = RECORDED[request.path]
    answer = recorded.with_token if "Authorization" in request.headers else recorded.anonymous
    return web.Response(status=answer.status, body=answer.body.encode(), headers=answer.headers)


@pytest_asyncio.fixture(name="recorded")
async def recorded_fixture() -> AsyncIterator[str]:
    """The replay server; checks each recording is served as recorded (status and body)."""
    app = web.Application()
    for path in RECORDED:
        app.router.add_get(path, _replay)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        import httpx

        async with httpx.AsyncClient() as http:
            for path, rec in RECORDED.items():
                got = await http.get(base + path)
                assert (got.status_code, got.text) == (rec.anonymous.status, rec.anonymous.body)
        yield base
    finally:
        await runner.cleanup()


async def _run(text: str, token: str | None) -> Report:
    return await run_scanned(text, no_hydra_settings(), [token] if token else [])


@pytest.mark.parametrize("row", ROWS, ids=[r.case.name for r in ROWS])
async def test_recorded_gateway_verdicts(
    row: Row, recorded: str, judge: Judge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    token = row.token() if row.token else None
    text = f"{row.command} {recorded}{row.path}" + (
        f" --token {shlex.quote(token)}" if token else ""
    )
    judge(row.case, await _run(text, token))


@pytest.mark.parametrize(("case", "path"), EXPLAIN_ROWS, ids=[c.name for c, _ in EXPLAIN_ROWS])
async def test_explain_knows_the_same_wording(case: Case, path: str, judge: Judge) -> None:
    """`explain` reads the same gateway table as `probe` and `diagnose` (issue 15 §4)."""
    body = RECORDED[path].with_token.body
    if path == "/esp/keys":
        body = RECORDED[path].anonymous.body
    judge(case, await _run(f"explain {shlex.quote(body)}", None))
