"""A fake Ory Hydra over real HTTP: the admin API (v1 or v2 paths) and the public token endpoint.

Shapes follow DOMAIN.md: client not found is 404 `{"error":"Unable to locate the resource",...}`,
listings blank `client_secret`, v2 pages with `page_size`/`page_token` and `Link` (and keeps
sending `next` on an empty page — the bug clients must survive), v1 pages with `limit`/`offset`,
`Link` and `X-Total-Count`. The wrong version's paths answer like Go's router: `404 page not
found` as text. The public port checks client credentials the Hydra way: Basic credentials are
URL-decoded (RFC 6749 §2.3.1), the auth method must match `token_endpoint_auth_method`.

    from tests.fakes.hydra_admin import hydra_fixture  # noqa: F401  (registers `hydra`)
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote_plus, urlencode

import pytest_asyncio
from aiohttp import web

NOT_FOUND = {
    "error": "Unable to locate the resource",
    "error_description": "",
    "status_code": 404,
}
INVALID_CLIENT_DESCRIPTION = (
    "Client authentication failed (e.g., unknown client, no client authentication included, or "
    "unsupported authentication method)."
)


def hydra_client(
    client_id: str,
    secret: str,
    *,
    name: str = "",
    owner: str = "",
    grant_types: list[str] | None = None,
    scope: str = "",
    audience: list[str] | None = None,
    auth_method: str = "client_secret_basic",
) -> dict[str, Any]:
    """A client as Hydra stores it (the secret kept here only to check token requests)."""
    return {
        "client_id": client_id,
        "client_name": name,
        "client_secret": secret,
        "grant_types": grant_types or ["client_credentials"],
        "response_types": ["token"],
        "scope": scope,
        "audience": audience or [],
        "owner": owner,
        "token_endpoint_auth_method": auth_method,
        "metadata": {},
        "created_at": "2026-01-01T00:00:00Z",
    }


class FakeHydra:
    """State and knobs; `admin_url` and `public_url` are set once started."""

    def __init__(self, version: str = "v2.2.0") -> None:
        self.version = version
        self.clients: dict[str, dict[str, Any]] = {}
        self.alive = True
        self.db_ready = True
        self.requests: list[str] = []
        self.admin_url = ""
        self.public_url = ""
        self._runners: list[web.AppRunner] = []

    @property
    def v2(self) -> bool:
        return not self.version.lstrip("v").startswith("1.")

    def add_client(self, client: dict[str, Any]) -> None:
        self.clients[client["client_id"]] = client

    # -- admin ------------------------------------------------------------------------------
    def _public_view(self, client: dict[str, Any]) -> dict[str, Any]:
        return {**client, "client_secret": ""}

    async def _get_client(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        if request.path.startswith("/admin/") != self.v2:
            return web.Response(status=404, text="404 page not found")
        client = self.clients.get(request.match_info["id"])
        if client is None:
            return web.json_response(NOT_FOUND, status=404)
        return web.json_response(self._public_view(client))

    async def _list_clients(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        if request.path.startswith("/admin/") != self.v2:
            return web.Response(status=404, text="404 page not found")
        ordered = [self._public_view(c) for _, c in sorted(self.clients.items())]
        headers: dict[str, str] = {}
        if self.v2:
            size = min(int(request.query.get("page_size", "250")), 1000)
            start = int(request.query.get("page_token") or 0)
            page = ordered[start : start + size]
            # The bug: `next` is always sent, even past the end.
            nxt = urlencode({"page_size": size, "page_token": start + size})
            first = urlencode({"page_size": size, "page_token": 0})
            headers["Link"] = (
                f'</admin/clients?{first}>; rel="first",</admin/clients?{nxt}>; rel="next"'
            )
        else:
            size = min(int(request.query.get("limit", "100")), 500)
            start = int(request.query.get("offset", "0"))
            page = ordered[start : start + size]
            nxt = urlencode({"limit": size, "offset": start + size})
            headers["Link"] = f'</clients?{nxt}>; rel="next"'
            headers["X-Total-Count"] = str(len(ordered))
        return web.json_response(page, headers=headers)

    async def _alive(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        if not self.alive:
            return web.json_response(
                {"error": {"code": 500, "status": "Internal Server Error"}}, status=500
            )
        return web.json_response({"status": "ok"})

    async def _ready(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        if not self.db_ready:
            return web.json_response(
                {"errors": {"database": "dial tcp 10.0.0.7:5432: connect: connection refused"}},
                status=503,
            )
        return web.json_response({"status": "ok"})

    async def _version(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        return web.json_response({"version": self.version})

    # -- public -----------------------------------------------------------------------------
    async def _token(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path_qs)
        form = await request.post()
        header = request.headers.get("Authorization", "")
        used: str
        if header.startswith("Basic "):
            used = "client_secret_basic"
            try:
                raw = base64.b64decode(header[6:]).decode()
                user, _, password = raw.partition(":")
                if "%" in raw and not _valid_percent(raw):
                    return _oauth_error(400, "invalid_request", "The request is malformed.")
                client_id, secret = unquote_plus(user), unquote_plus(password)
            except (ValueError, UnicodeDecodeError):
                return _oauth_error(400, "invalid_request", "The request is malformed.")
        elif "client_secret" in form:
            used = "client_secret_post"
            client_id, secret = str(form.get("client_id", "")), str(form["client_secret"])
        else:
            return _oauth_error(401, "invalid_client", INVALID_CLIENT_DESCRIPTION)
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(
            client["client_secret"].encode(), secret.encode()
        ):
            return _oauth_error(401, "invalid_client", INVALID_CLIENT_DESCRIPTION)
        expected = client["token_endpoint_auth_method"]
        if used != expected:
            hint = (
                f"The OAuth 2.0 Client supports client authentication method '{expected}', but "
                f"method '{used}' was requested. You must configure the OAuth 2.0 client's "
                f"'token_endpoint_auth_method' value to accept '{used}'."
            )
            return _oauth_error(401, "invalid_client", INVALID_CLIENT_DESCRIPTION, hint)
        if form.get("grant_type") not in client["grant_types"]:
            return _oauth_error(400, "unauthorized_client", "The grant type is not allowed.")
        asked = str(form.get("scope", "")).split()
        allowed = client["scope"].split()
        if any(s not in allowed for s in asked):
            return _oauth_error(400, "invalid_scope", "The requested scope is invalid.")
        token = "ory_at_" + secrets.token_urlsafe(32)
        return web.json_response(
            {
                "access_token": token,
                "expires_in": 3599,
                "scope": " ".join(asked),
                "token_type": "bearer",
            }
        )

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        admin = web.Application()
        admin.router.add_get("/admin/clients", self._list_clients)
        admin.router.add_get("/admin/clients/{id}", self._get_client)
        admin.router.add_get("/clients", self._list_clients)
        admin.router.add_get("/clients/{id}", self._get_client)
        admin.router.add_get("/health/alive", self._alive)
        admin.router.add_get("/health/ready", self._ready)
        admin.router.add_get("/version", self._version)
        public = web.Application()
        public.router.add_post("/oauth2/token", self._token)
        public.router.add_get("/health/alive", self._alive)
        self.admin_url = await self._serve(admin)
        self.public_url = await self._serve(public)

    async def _serve(self, app: web.Application) -> str:
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    def settings_overrides(self) -> dict[str, str]:
        return {"hydra_admin_url": self.admin_url, "hydra_public_url": self.public_url}


def _valid_percent(raw: str) -> bool:
    return re.search(r"%(?![0-9A-Fa-f]{2})", raw) is None


def _oauth_error(
    status: int, error: str, description: str, hint: str | None = None
) -> web.Response:
    body: dict[str, Any] = {"error": error, "error_description": description}
    if hint:
        body["error_hint"] = hint
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


@pytest_asyncio.fixture(name="hydra")
async def hydra_fixture() -> AsyncIterator[FakeHydra]:
    """A running Hydra v2 fake; set `.version = "v1.11.10"` for v1 paths."""
    fake = FakeHydra()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
