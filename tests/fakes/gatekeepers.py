"""Small HTTP servers that answer exactly like the gatekeepers in DOMAIN.md, for `probe`.

One aiohttp app on a free loopback port, one path per behaviour:

| path | answers |
|---|---|
| /envoy/expired | no token → 403 RBAC; a token → 401 `Jwt is expired` + Bearer challenge |
| /envoy/rbac | 403 `RBAC: access denied` with or without a token (Istio v2 jwt rule) |
| /envoy/jwt | no token → 403 RBAC; GOOD_TOKEN → 200; another → 401 `Jwt verification fails` |
| /oathkeeper | no token → 401 JSON; a token → 403 JSON (audience/scope mismatch) |
| /uaa | 401 `WWW-Authenticate: Basic realm="UAA/client"` + `{"error":"unauthorized",…}` |
| /login | 302 to `/login/oauth/authorize?...` (a browser-oriented gate) |
| /stripped | a proxy dropped `Authorization`: 401 `Bearer realm="api"` (no error code) either way |
| /scope | RFC 6750: no token → 401 challenge; a token → 403 `insufficient_scope`, `scope="admin"` |
| /skewed | 401 `invalid_token` with a `Date` header `skew_s` seconds off the test clock |
| /hang | never answers (the request must be bounded by AUTHCHECK_TIMEOUT) |
| /garbage | 401 with a binary body and no content type |
| /open | 200 with or without a token |
| /basic | 401 `WWW-Authenticate: Basic realm="admin"` unless `Basic` of BASIC_USER → 200 |
| /negotiate | 401 `WWW-Authenticate: Negotiate` (Kerberos/SPNEGO) whatever is sent |
| /digest | 401 `WWW-Authenticate: Digest realm=…, qop="auth", nonce=…` whatever is sent |
| /aws/s3 | S3's XML: anonymous → 403 AccessDenied; Bearer → 400 InvalidArgument "Unsupported |
|  | Authorization Type"; SigV4 with a key id not in `aws_keys` → 403 InvalidAccessKeyId; |
|  | otherwise 403 SignatureDoesNotMatch |
| /aws/error/{code} | S3's XML error `code` (SignatureDoesNotMatch, RequestTimeTooSkewed, …) |
|  | to any signed request; anonymous → 403 AccessDenied |
| /aws/apigw | API Gateway (IAM auth): anonymous → 403 `{"message":"Missing Authentication |
|  | Token"}` + `x-amzn-ErrorType: MissingAuthenticationTokenException`; a token → 403 |
|  | IncompleteSignatureException |

`hits[path]` counts requests, `auth_seen[path]` records whether an Authorization header arrived.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest_asyncio
from aiohttp import web

#: The one token `/envoy/jwt` accepts.
GOOD_TOKEN = "good-token-for-envoy-0123456789abcdef"
#: The user `/basic` accepts.
BASIC_USER = ("admin", "basic-Pa55word")
#: S3's status for each XML error code the AWS fakes send.
AWS_STATUS = {
    "AccessDenied": 403,
    "SignatureDoesNotMatch": 403,
    "RequestTimeTooSkewed": 403,
    "InvalidAccessKeyId": 403,
    "ExpiredToken": 400,
    "AuthorizationHeaderMalformed": 400,
    "InvalidArgument": 400,
}
AWS_MESSAGES = {
    "AccessDenied": "Access Denied",
    "SignatureDoesNotMatch": "The request signature we calculated does not match the signature "
    "you provided. Check your key and signing method.",
    "RequestTimeTooSkewed": "The difference between the request time and the current time is too "
    "large.",
    "InvalidAccessKeyId": "The AWS Access Key Id you provided does not exist in our records.",
    "ExpiredToken": "The provided token has expired.",
    "AuthorizationHeaderMalformed": "The authorization header is malformed; the region "
    "'us-east-1' is wrong; expecting 'eu-central-1'",
    "InvalidArgument": "Unsupported Authorization Type",
}


def s3_error(code: str) -> web.Response:
    """S3's error document, as S3 sends it."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{AWS_MESSAGES[code]}</Message>"
        "<RequestId>4442587FB7D0A2F9</RequestId><HostId>nOxYl1l9…</HostId></Error>"
    )
    return web.Response(
        status=AWS_STATUS[code],
        text=body,
        content_type="application/xml",
        headers={"server": "AmazonS3", "x-amz-request-id": "4442587FB7D0A2F9"},
    )


class Gatekeepers:
    def __init__(self, now: datetime, skew_s: int = 600) -> None:
        self.now = now
        self.skew_s = skew_s
        self.hits: Counter[str] = Counter()
        self.auth_seen: dict[str, list[bool]] = {}
        self.base = ""
        self._runner: web.AppRunner | None = None
        #: Access key ids `/aws/s3` knows (a signature from one of them "does not match").
        self.aws_keys: set[str] = {"AKIAIOSFODNN7EXAMPLE"}

    def url(self, path: str) -> str:
        return self.base + path

    def _record(self, request: web.Request) -> str | None:
        self.hits[request.path] += 1
        auth = request.headers.get("Authorization")
        self.auth_seen.setdefault(request.path, []).append(auth is not None)
        return auth

    async def _envoy_expired(self, request: web.Request) -> web.StreamResponse:
        if self._record(request) is None:
            return web.Response(status=403, text="RBAC: access denied", headers={"server": "envoy"})
        return web.Response(
            status=401,
            text="Jwt is expired",
            headers={
                "www-authenticate": f'Bearer realm="{self.url(request.path)}", '
                'error="invalid_token"',
                "server": "istio-envoy",
            },
        )

    async def _envoy_rbac(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        return web.Response(status=403, text="RBAC: access denied", headers={"server": "envoy"})

    async def _envoy_jwt(self, request: web.Request) -> web.StreamResponse:
        auth = self._record(request)
        if auth is None:
            return web.Response(status=403, text="RBAC: access denied", headers={"server": "envoy"})
        if auth == f"Bearer {GOOD_TOKEN}":
            return web.json_response({"hello": "world"})
        return web.Response(
            status=401,
            text="Jwt verification fails",
            headers={
                "www-authenticate": f'Bearer realm="{self.url(request.path)}", '
                'error="invalid_token"',
                "server": "istio-envoy",
            },
        )

    async def _oathkeeper(self, request: web.Request) -> web.StreamResponse:
        auth = self._record(request)
        if auth is None:
            body = {
                "error": {
                    "code": 401,
                    "status": "Unauthorized",
                    "message": "Access credentials are invalid",
                }
            }
            return web.json_response(body, status=401)
        body = {
            "error": {
                "code": 403,
                "status": "Forbidden",
                "message": "Access credentials are not sufficient to access this resource",
                "reason": "Token audience is not intended for target audience api",
            }
        }
        return web.json_response(body, status=403)

    async def _uaa(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        return web.json_response(
            {"error": "unauthorized", "error_description": "Bad credentials"},
            status=401,
            headers={
                "WWW-Authenticate": 'Basic realm="UAA/client", error="unauthorized", '
                'error_description="Bad credentials"'
            },
        )

    async def _login(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        raise web.HTTPFound(self.url("/login/oauth/authorize?client_id=web&redirect_uri=%2Fapp"))

    async def _stripped(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        return web.json_response(
            {"message": "no credentials"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )

    async def _scope(self, request: web.Request) -> web.StreamResponse:
        auth = self._record(request)
        if auth is None:
            return web.Response(status=401, headers={"WWW-Authenticate": 'Bearer realm="api"'})
        return web.Response(
            status=403,
            headers={
                "WWW-Authenticate": 'Bearer realm="api", error="insufficient_scope", '
                'error_description="The request requires higher privileges", scope="admin"'
            },
        )

    async def _skewed(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        server_time = self.now + timedelta(seconds=self.skew_s)
        response = web.Response(
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
        )
        response.headers["Date"] = format_datetime(server_time, usegmt=True)
        return response

    async def _hang(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        await asyncio.sleep(3600)
        return web.Response(status=200)

    async def _garbage(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        return web.Response(status=401, body=bytes(range(256)) * 4)

    async def _open(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        return web.Response(text=json.dumps({"ok": True}), content_type="application/json")

    async def _basic(self, request: web.Request) -> web.StreamResponse:
        import base64

        auth = self._record(request) or ""
        good = base64.b64encode(":".join(BASIC_USER).encode()).decode()
        if auth == f"Basic {good}":
            return web.json_response({"ok": True})
        return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="admin"'})

    async def _negotiate(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        return web.Response(
            status=401, text="Unauthorized", headers={"WWW-Authenticate": "Negotiate"}
        )

    async def _digest(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        return web.Response(
            status=401,
            headers={
                "WWW-Authenticate": 'Digest realm="api@example.com", qop="auth", '
                'algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
                'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
            },
        )

    async def _aws_s3(self, request: web.Request) -> web.StreamResponse:
        auth = self._record(request)
        if auth is None:
            return s3_error("AccessDenied")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return s3_error("InvalidArgument")
        key_id = auth.split("Credential=", 1)[-1].split("/", 1)[0]
        if key_id not in self.aws_keys:
            return s3_error("InvalidAccessKeyId")
        return s3_error("SignatureDoesNotMatch")

    async def _aws_error(self, request: web.Request) -> web.StreamResponse:
        auth = self._record(request)
        code = request.match_info["code"]
        return s3_error("AccessDenied" if auth is None else code)

    async def _aws_apigw(self, request: web.Request) -> web.StreamResponse:
        auth = self._record(request)
        if auth is None:
            return web.json_response(
                {"message": "Missing Authentication Token"},
                status=403,
                headers={"x-amzn-ErrorType": "MissingAuthenticationTokenException"},
            )
        return web.json_response(
            {
                "message": "Authorization header requires 'Credential' parameter. Authorization "
                "header requires 'Signature' parameter. Authorization header requires "
                "'SignedHeaders' parameter. Authorization=Bearer [redacted]"
            },
            status=403,
            headers={"x-amzn-ErrorType": "IncompleteSignatureException"},
        )

    async def _date(self, request: web.Request, response: web.StreamResponse) -> None:
        """Every answer carries the test clock's time, so only /skewed shows a skew."""
        if request.path != "/skewed":
            response.headers["Date"] = format_datetime(self.now, usegmt=True)

    async def start(self) -> None:
        app = web.Application()
        app.on_response_prepare.append(self._date)
        routes = {
            "/envoy/expired": self._envoy_expired,
            "/envoy/rbac": self._envoy_rbac,
            "/envoy/jwt": self._envoy_jwt,
            "/oathkeeper": self._oathkeeper,
            "/uaa": self._uaa,
            "/login": self._login,
            "/stripped": self._stripped,
            "/scope": self._scope,
            "/skewed": self._skewed,
            "/hang": self._hang,
            "/garbage": self._garbage,
            "/open": self._open,
            "/basic": self._basic,
            "/negotiate": self._negotiate,
            "/digest": self._digest,
            "/aws/s3": self._aws_s3,
            "/aws/error/{code}": self._aws_error,
            "/aws/apigw": self._aws_apigw,
        }
        for path, handler in routes.items():
            app.router.add_route("*", path, handler)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest_asyncio.fixture(name="gatekeepers")
async def gatekeepers_fixture() -> AsyncIterator[Gatekeepers]:
    """The gatekeeper fakes; `gatekeepers.now` is the clock tests give their CheckContext."""
    from datetime import UTC

    fake = Gatekeepers(now=datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC))
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


class FakeUaa:
    """A Cloud Foundry UAA token endpoint (`POST /oauth/token`) as DOMAIN.md describes it.

    Basic credentials are taken raw unless `X-CF-ENCODED-CREDENTIALS: true` is sent, then they are
    URL-decoded; bad credentials get 401 `unauthorized` "Bad credentials" with
    `WWW-Authenticate: Basic realm="UAA/client"`; an empty secret `invalid_client` "Missing
    credentials". `requests` counts calls so tests can hold the `token` command to its budget.

    The password grant (`grant_type=password`, `username`, `password`, optional `login_hint=
    {"origin":"..."}`) checks the client first, exactly as above, then the origin: it must be in
    `origins` as an active OIDC provider (or `uaa`, the internal user store) — a SAML origin, an
    unknown one or an inactive one gets UAA's 401 "The origin provided in the login_hint does not
    match an active Identity Provider, that supports password grant." — then the user in `users`
    (`(origin, username) -> password`): a mismatch is 401 `unauthorized` "Bad credentials".
    `grants` (client id → allowed grant types) makes UAA answer 401 `invalid_client`
    "Unauthorized grant type: …" for any other grant. `bodies` keeps every raw request body.
    """

    def __init__(self) -> None:
        self.clients: dict[str, str] = {}
        self.requests = 0
        self.base = ""
        self._runner: web.AppRunner | None = None
        self.users: dict[tuple[str, str], str] = {}
        #: origin key → "oidc" | "saml" | "uaa"; an origin missing here is not configured.
        self.origins: dict[str, str] = {"sap.default": "oidc"}
        self.inactive: set[str] = set()
        self.default_origin = "sap.default"
        self.grants: dict[str, set[str]] = {}
        self.bodies: list[bytes] = []

    async def _token(self, request: web.Request) -> web.StreamResponse:
        import base64
        from urllib.parse import unquote_plus

        self.requests += 1
        self.bodies.append(await request.read())
        form = await request.post()
        header = request.headers.get("Authorization", "")
        client_id = secret = ""
        if header.startswith("Basic "):
            raw = base64.b64decode(header[6:]).decode(errors="replace")
            client_id, _, secret = raw.partition(":")
            if request.headers.get("X-CF-ENCODED-CREDENTIALS", "").lower() == "true":
                client_id, secret = unquote_plus(client_id), unquote_plus(secret)
        elif "client_id" in form:
            client_id, secret = str(form["client_id"]), str(form.get("client_secret", ""))
        if not secret:
            return web.json_response(
                {"error": "invalid_client", "error_description": "Missing credentials"},
                status=401,
            )
        if self.clients.get(client_id) != secret:
            return web.json_response(
                {"error": "unauthorized", "error_description": "Bad credentials"},
                status=401,
                headers={
                    "WWW-Authenticate": 'Basic realm="UAA/client", error="unauthorized", '
                    'error_description="Bad credentials"'
                },
            )
        grant = str(form.get("grant_type", ""))
        allowed = self.grants.get(client_id)
        if allowed is not None and grant not in allowed:
            return web.json_response(
                {
                    "error": "invalid_client",
                    "error_description": f"Unauthorized grant type: {grant}",
                },
                status=401,
            )
        if grant == "password":
            refused = self._user(form)
            if refused is not None:
                return refused
        return web.json_response(
            {
                "access_token": "uaa-opaque-" + "x" * 24 + str(self.requests),
                "token_type": "bearer",
                "expires_in": 43199,
                "scope": "uaa.resource",
                "jti": "abc",
            }
        )

    def _user(self, form: Any) -> web.Response | None:
        """UAA's resource-owner checks, after the client authenticated: origin, then user."""
        origin = self.default_origin
        hint = form.get("login_hint")
        if hint:
            try:
                origin = str(json.loads(str(hint))["origin"])
            except (ValueError, KeyError, TypeError):
                return web.json_response(
                    {
                        "error": "unauthorized",
                        "error_description": "The origin provided in the login hint is invalid.",
                    },
                    status=401,
                )
        kind = self.origins.get(origin)
        if kind not in ("oidc", "uaa") or origin in self.inactive:
            return web.json_response(
                {
                    "error": "unauthorized",
                    "error_description": "The origin provided in the login_hint does not match "
                    "an active Identity Provider, that supports password grant.",
                },
                status=401,
            )
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        if not password or self.users.get((origin, username)) != password:
            return web.json_response(
                {"error": "unauthorized", "error_description": "Bad credentials"}, status=401
            )
        return None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/oauth/token", self._token)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest_asyncio.fixture(name="uaa")
async def uaa_fixture() -> AsyncIterator[FakeUaa]:
    fake = FakeUaa()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
