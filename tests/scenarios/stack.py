"""The servers a scenario runs against, composed from the shared fakes.

- `Issuer`: RSA signing keys and a JWKS endpoint over HTTP; mints real RS256 JWTs.
- `ScenarioHydra`: the shared Hydra fake plus RFC 7662 introspection on the admin port (v2 path,
  v1 path when the version is 1.x). A token is active when Hydra issued it, its client still
  exists, it has not expired by Hydra's clock and it carries every scope asked for (`scope=`).
- `Gate`: an API behind an Istio-like gate (real JWT verification against a cached copy of the
  issuer's keys, exact issuer match, requiredScopes/audiences → 403 `RBAC: access denied`) or an
  Oathkeeper-like gate (`oauth2_introspection` at ScenarioHydra with the rule's scopes — the
  default scope strategy — then audience and token_use). `strip=True` puts a proxy in front that
  drops `Authorization`. `date` is the gate's clock, sent in `Date`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.hydra_admin import FakeHydra

#: The scenarios' clock: every server and the CheckContext agree on it (unless skew is the point).
NOW = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)
ISSUER = "http://issuer.authcheck.test/"


def at(seconds: float) -> int:
    return int((NOW + timedelta(seconds=seconds)).timestamp())


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


_KEYS = {
    kid: rsa.generate_private_key(public_exponent=65537, key_size=2048) for kid in ("k1", "k2")
}


class Issuer:
    """Signing keys and a JWKS; `published` are the kids the JWKS lists right now."""

    def __init__(self) -> None:
        self.keys = _KEYS
        self.published = ["k1"]
        self.url = ""
        self._runner: web.AppRunner | None = None

    @property
    def jwks_url(self) -> str:
        return self.url + "/.well-known/jwks.json"

    def jwk(self, kid: str) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.keys[kid].public_key()))
        return {**public, "kid": kid, "use": "sig", "alg": "RS256"}

    def mint(self, kid: str = "k1", **claims: Any) -> str:
        body: dict[str, Any] = {
            "iss": ISSUER,
            "sub": "orders-client",
            "client_id": "orders-client",
            "aud": ["orders"],
            "scp": ["read"],
            "iat": at(-60),
            "exp": at(3000),
            "token_use": "access_token",
            "jti": secrets.token_hex(8),
        }
        body.update(claims)
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})

    async def _jwks(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.jwk(k) for k in self.published]})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/.well-known/jwks.json", self._jwks)
        self._runner, self.url = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class ScenarioHydra(FakeHydra):
    """FakeHydra plus introspection; `issued` maps tokens Hydra handed out to their claims."""

    def __init__(self, version: str = "v2.2.0") -> None:
        super().__init__(version)
        self.issued: dict[str, dict[str, Any]] = {}
        self.now = NOW
        self.introspected: list[dict[str, str]] = []
        #: Awaited before answering an introspection (the concurrency test's rendezvous).
        self.before_introspect: Callable[[], Awaitable[None]] | None = None

    def issue_jwt(self, issuer: Issuer, **claims: Any) -> str:
        token = issuer.mint(**claims)
        self.issued[token] = jwt.decode(token, options={"verify_signature": False})
        return token

    def issue_opaque(self, prefix: str = "ory_at_", **claims: Any) -> str:
        token = prefix + secrets.token_urlsafe(32) + "." + secrets.token_urlsafe(16)
        body = {"iss": ISSUER, "client_id": "orders-client", "sub": "orders-client"}
        body |= {"scp": ["read"], "aud": ["orders"], "iat": at(-60), "exp": at(3000)}
        body |= {"token_use": "access_token", **claims}
        self.issued[token] = body
        return token

    async def _introspect(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        if request.path.startswith("/admin/") != self.v2:
            return web.Response(status=404, text="404 page not found")
        if self.before_introspect is not None:
            await self.before_introspect()
        form = await request.post()
        self.introspected.append({k: str(v) for k, v in form.items()})
        claims = self.issued.get(str(form.get("token", "")))
        asked = str(form.get("scope", "")).split()
        if (
            claims is None
            or claims.get("client_id") not in self.clients
            or claims["exp"] <= self.now.timestamp()
            or any(s not in claims.get("scp", []) for s in asked)
        ):
            return web.json_response({"active": False})
        aud = claims.get("aud")
        return web.json_response(
            {
                "active": True,
                "scope": " ".join(claims.get("scp", [])),
                "client_id": claims["client_id"],
                "sub": claims.get("sub"),
                "exp": claims["exp"],
                "iat": claims.get("iat"),
                "aud": aud if isinstance(aud, list) else [aud],
                "iss": claims.get("iss"),
                "token_type": "Bearer",
                "token_use": claims.get("token_use", "access_token"),
            }
        )

    async def start(self) -> None:
        admin = web.Application()
        for prefix in ("/admin/clients", "/clients"):
            admin.router.add_get(prefix, self._list_clients)
            admin.router.add_get(prefix + "/{id}", self._get_client)
        admin.router.add_post("/admin/oauth2/introspect", self._introspect)
        admin.router.add_post("/oauth2/introspect", self._introspect)
        admin.router.add_get("/health/alive", self._alive)
        admin.router.add_get("/health/ready", self._ready)
        admin.router.add_get("/version", self._version)
        public = web.Application()
        public.router.add_post("/oauth2/token", self._token)
        self.admin_url = await self._serve(admin)
        self.public_url = await self._serve(public)


ISTIO, OATHKEEPER = "istio", "oathkeeper"
RBAC = "RBAC: access denied"


@dataclass
class Gate:
    """An API behind a gatekeeper; configure the fields, then point `diagnose` at `url()`."""

    issuer: Issuer
    hydra: ScenarioHydra
    mode: str = ISTIO
    issuers: list[str] = field(default_factory=lambda: [ISSUER])
    #: The kids the gateway has cached (Istio keeps JWKS ~20 min after a rotation).
    cached_kids: list[str] = field(default_factory=lambda: ["k1"])
    scopes: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    date: datetime = NOW
    strip: bool = False
    before: Callable[[], Awaitable[None]] | None = None
    base: str = ""
    seen: list[bool] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    def url(self, path: str = "/orders/1") -> str:
        return self.base + path

    def _deny(self, text: str) -> web.Response:
        return web.Response(
            status=401,
            text=text,
            headers={
                "www-authenticate": f'Bearer realm="{self.base}", error="invalid_token"',
                "server": "istio-envoy",
            },
        )

    def _istio(self, token: str | None) -> web.Response:
        rbac = web.Response(status=403, text=RBAC, headers={"server": "istio-envoy"})
        if token is None:
            return rbac
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return self._deny("Jwt is not in the form of Header.Payload.Signature")
        if claims.get("iss") not in self.issuers:
            return self._deny("Jwt issuer is not configured")
        kid = header.get("kid")
        if kid not in self.cached_kids:
            return self._deny("Jwks doesn't have key to match kid or alg from Jwt")
        try:
            jwt.decode(
                token,
                self.issuer.keys[kid].public_key(),
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_nbf": False, "verify_aud": False},
            )
        except jwt.PyJWTError:
            return self._deny("Jwt verification fails")
        now = self.date.timestamp()
        if claims.get("exp", now + 1) < now - 60:
            return self._deny("Jwt is expired")
        if max(claims.get("nbf", 0), claims.get("iat", 0)) > now + 60:
            return self._deny("Jwt not yet valid")
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if any(s not in claims.get("scp", []) for s in self.scopes) or any(
            a not in auds for a in self.audiences
        ):
            return rbac
        return web.json_response({"order": 1})

    async def _oathkeeper(self, token: str | None) -> web.Response:
        def error(code: int, status: str, message: str) -> web.Response:
            body = {"error": {"code": code, "status": status, "message": message}}
            return web.json_response(body, status=code)

        if token is None:
            return error(401, "Unauthorized", "Access credentials are invalid")
        form = {"token": token, "scope": " ".join(self.scopes)}
        hydra_url = self.hydra.admin_url + (
            "/admin/oauth2/introspect" if self.hydra.v2 else "/oauth2/introspect"
        )
        from aiohttp import ClientSession

        async with ClientSession() as http, http.post(hydra_url, data=form) as answer:
            body = await answer.json()
        if not body.get("active"):
            return error(401, "Unauthorized", "Access credentials are invalid")
        if body.get("token_use") != "access_token":
            return error(403, "Forbidden", "Access credentials are not sufficient")
        if any(a not in body.get("aud", []) for a in self.audiences):
            return error(403, "Forbidden", "Access credentials are not sufficient")
        return web.json_response({"order": 1})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.before is not None:
            await self.before()
        auth = None if self.strip else request.headers.get("Authorization")
        self.seen.append(auth is not None)
        token = auth[7:] if auth and auth.startswith("Bearer ") else None
        if self.mode == ISTIO:
            return self._istio(token)
        return await self._oathkeeper(token)

    async def _date(self, request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Date"] = format_datetime(self.date, usegmt=True)

    async def start(self) -> None:
        app = web.Application()
        app.on_response_prepare.append(self._date)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self.base = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def rendezvous(a: asyncio.Event, b: asyncio.Event) -> None:
    """Set `a`, then wait for `b`: two servers that each answer only once the other was called.

    Bounded, so a sequential caller makes the test fail instead of hanging it."""
    a.set()
    async with asyncio.timeout(4):
        await b.wait()
