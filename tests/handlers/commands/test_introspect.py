"""`introspect`: against a real oidc-provider, a Hydra-like admin fake (v1/v2 paths, 307 trap) and
the emulated Kubernetes API, always through parse → run_invocation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
import pytest_asyncio
from aiohttp import web

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.jwts import make_jwt
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401
from tests.fakes.oidc import OidcServer, free_port

LOOPBACK = ["127.0.0.1"]
INTROSPECTOR = ("introspector", "In+tro/Spect=or99")
HYDRA_ISSUER = "http://hydra.test/"


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "url_allowlist": LOOPBACK,
        "timeout": 3,
        "kubeconfig": None,
        "issuer": None,
        "introspect_url": None,
        "introspect_secret": None,
        "introspect_client_id": None,
        "introspect_client_secret": None,
    }
    values.update(overrides)
    return Settings(**values)


async def run(text: str, st: Settings | None = None, now: datetime | None = None) -> Report:
    inv = parse(text, default_registry())
    ctx = CheckContext(settings=st or settings())
    if now is not None:
        ctx.clock = lambda: now
    return await run_invocation(inv, ctx)


def by_title(report: Report, fragment: str) -> Finding:
    matches = [f for f in report.findings if fragment.lower() in f.title.lower()]
    assert matches, f"no finding with {fragment!r}: {[f.title for f in report.findings]}"
    return matches[0]


def assert_no_leak(report: Report, *secrets: str) -> None:
    blob = json.dumps(report.to_dict()) + render(report)
    for secret in secrets:
        assert secret not in blob


def creds_args() -> str:
    return f"--client-id {INTROSPECTOR[0]} --client-secret '{INTROSPECTOR[1]}'"


# -- the real oidc-provider --------------------------------------------------------------------


async def test_active_opaque_token_reports_client_scopes_and_expiry(
    oidc_server: OidcServer,
) -> None:
    token = oidc_server.token("svc-plus", scope="read write")
    report = await run(f"introspect {token} --url {oidc_server.introspection_url} {creds_args()}")
    active = by_title(report, "Token is active")
    assert active.status is Severity.OK
    assert "client: svc-plus" in active.detail
    assert "scopes: read write" in active.detail
    assert "expires:" in active.detail
    assert "in 9 min" in active.detail
    assert active.evidence["client_id"] == "svc-plus"
    assert report.status is Severity.INFO
    assert_no_leak(report, token, INTROSPECTOR[1])


async def test_issuer_discovery_finds_the_endpoint(oidc_server: OidcServer) -> None:
    token = oidc_server.token("svc-plus", scope="read")
    report = await run(f"introspect {token} --issuer {oidc_server.issuer} {creds_args()}")
    assert by_title(report, "Introspected at").evidence["url"] == oidc_server.introspection_url
    assert by_title(report, "Token is active").status is Severity.OK


async def test_missing_required_scope_is_named(oidc_server: OidcServer) -> None:
    token = oidc_server.token("svc-plus", scope="read")
    report = await run(
        f"introspect {token} --url {oidc_server.introspection_url} {creds_args()} "
        "--scope read --scope write,admin"
    )
    lacks = by_title(report, "lacks scopes")
    assert lacks.status is Severity.FAIL
    assert lacks.evidence["missing"] == ["write", "admin"]
    assert report.status is Severity.FAIL


async def test_revoked_token_is_inactive_and_the_reason_is_inferred(
    oidc_server: OidcServer,
) -> None:
    token = oidc_server.token("svc-plus", scope="read")
    oidc_server.revoke(token)
    report = await run(f"introspect {token} --url {oidc_server.introspection_url} {creds_args()}")
    inactive = by_title(report, "Token is not active")
    assert inactive.status is Severity.FAIL
    assert "never says why" in inactive.detail
    assert "revoked" in by_title(report, "Nothing in the token itself").detail
    assert_no_leak(report, token)


async def test_wrong_caller_secret_is_an_error_about_the_bot_not_the_token(
    oidc_server: OidcServer,
) -> None:
    token = oidc_server.token("svc-plus")
    report = await run(
        f"introspect {token} --url {oidc_server.introspection_url} "
        "--client-id introspector --client-secret wrong-secret-value"
    )
    refused = by_title(report, "refused authcheck's call")
    assert refused.status is Severity.ERROR
    assert "invalid_client" in refused.detail
    assert not any(f.status is Severity.FAIL for f in report.findings)
    assert_no_leak(report, token, "wrong-secret-value")


async def test_no_caller_credentials_says_how_to_configure(oidc_server: OidcServer) -> None:
    token = oidc_server.token("svc-plus")
    report = await run(f"introspect {token} --url {oidc_server.introspection_url}")
    refused = by_title(report, "refused authcheck's call")
    assert refused.status is Severity.ERROR
    assert "AUTHCHECK_INTROSPECT_SECRET" in refused.remedy


async def test_oidc_provider_answers_inactive_for_jwt_access_tokens(
    oidc_server: OidcServer,
) -> None:
    """Observed with oidc-provider 8: a valid JWT access token introspects as active:false
    (JWTs are not stored); the report must not blame the token's contents."""
    token = oidc_server.token("svc-jwt", scope="read")
    assert token.count(".") == 2
    report = await run(
        f"introspect {token} --url {oidc_server.introspection_url} {creds_args()} "
        f"--issuer {oidc_server.issuer}"
    )
    # Introspected as `introspector`, the token is svc-jwt's: {active:false} proves nothing, so
    # it is not a `fail` and the headline says why (handlers/oauth/contradictions.py).
    assert by_title(report, "Token is not active").status is Severity.WARN
    other = by_title(report, "but the token belongs to client `svc-jwt`")
    assert other.status is Severity.ERROR
    assert report.headline is other
    unexplained = by_title(report, "Nothing in the token itself explains it")
    assert "do not introspect JWT access tokens" in unexplained.detail
    assert not any("expired" in f.title or "another issuer" in f.title for f in report.findings)
    assert_no_leak(report, token)


async def test_bot_configuration_is_trusted_without_allowlist(oidc_server: OidcServer) -> None:
    token = oidc_server.token("svc-plus")
    st = settings(
        url_allowlist=[],
        introspect_url=oidc_server.introspection_url,
        introspect_client_id=INTROSPECTOR[0],
        introspect_client_secret=INTROSPECTOR[1],
    )
    report = await run(f"introspect {token}", st)
    assert by_title(report, "Token is active").status is Severity.OK
    assert "AUTHCHECK_INTROSPECT_CLIENT_ID" in by_title(report, "Introspected at").detail
    assert_no_leak(report, token, INTROSPECTOR[1])


async def test_user_typed_loopback_url_is_refused_by_default(oidc_server: OidcServer) -> None:
    report = await run(
        f"introspect some-token-value --url {oidc_server.introspection_url} {creds_args()}",
        settings(url_allowlist=[]),
    )
    refused = by_title(report, "Refused to call")
    assert refused.status is Severity.ERROR
    assert "AUTHCHECK_URL_ALLOWLIST" in refused.remedy


async def test_caller_from_kubernetes_secret_with_uppercase_keys(
    oidc_server: OidcServer, kube: FakeKube
) -> None:
    kube.add_secret(
        "apps", "introspect-creds", {"CLIENT_ID": INTROSPECTOR[0], "CLIENT_SECRET": INTROSPECTOR[1]}
    )
    token = oidc_server.token("svc-plus")
    st = kube.settings(url_allowlist=LOOPBACK, introspect_url=oidc_server.introspection_url)
    report = await run(f"introspect {token} --secret apps/introspect-creds", st)
    assert by_title(report, "Token is active").status is Severity.OK
    assert (
        "Secret apps/introspect-creds (keys CLIENT_ID, CLIENT_SECRET)"
        in by_title(report, "Introspected at").detail
    )
    assert_no_leak(report, token, INTROSPECTOR[1])


async def test_env_secret_missing_in_cluster_is_a_fail(kube: FakeKube) -> None:
    st = kube.settings(introspect_secret="apps/absent", introspect_url="http://127.0.0.1:9/x")
    report = await run("introspect some-token-value", st)
    missing = by_title(report, "does not exist")
    assert missing.status is Severity.FAIL
    assert missing.evidence["secret"] == "apps/absent"


async def test_secret_without_kubernetes_configured_is_an_error() -> None:
    report = await run("introspect some-token-value --secret apps/creds --url http://127.0.0.1:9/")
    unchecked = by_title(report, "Kubernetes is not configured")
    assert unchecked.status is Severity.ERROR
    assert "KUBECONFIG" in unchecked.remedy


async def test_unreachable_endpoint_is_an_error_naming_the_url() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/token/introspection"
    report = await run(f"introspect some-token-value --url {url} {creds_args()}")
    unreachable = by_title(report, "unreachable")
    assert unreachable.status is Severity.ERROR
    assert f"connection refused to {url}" in unreachable.detail
    assert report.status is Severity.ERROR


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("introspect tok --client-id a", "--client-id and --client-secret go together"),
        ("introspect tok --secret just-a-name", "--secret: `just-a-name` is not namespace/name"),
        ("introspect tok --url ftp://x/", "--url: it must start with http:// or https://"),
    ],
)
def test_bad_input_is_a_usage_error(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text, default_registry())
    assert caught.value.reason == reason


# -- a Hydra-like admin API --------------------------------------------------------------------


class FakeHydraAdmin:
    """Introspection the Hydra way: no caller auth on the admin port, `{"active":false}` for
    anything unknown or expired or lacking a requested scope; v1 or v2 paths; optionally the v2
    trap of answering the v1 path with a 307 to `urls.self.admin` on localhost."""

    def __init__(self, version: str, now: datetime, redirect_v1: bool = False) -> None:
        self.version = version
        self.now = now
        self.redirect_v1 = redirect_v1
        self.tokens: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.base = ""
        self._runner: web.AppRunner | None = None

    async def _introspect(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path)
        form = parse_qs(await request.text())
        token = form.get("token", [""])[0]
        record = self.tokens.get(token)
        asked = form.get("scope", [""])[0].split()
        now = int(self.now.timestamp())
        if (
            record is None
            or record["exp"] <= now
            or any(s not in record["scope"].split() for s in asked)
        ):
            return web.json_response({"active": False})
        return web.json_response({"active": True, "token_type": "Bearer", **record})

    async def _v1_redirect(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path)
        raise web.HTTPTemporaryRedirect("http://localhost:4445/admin/oauth2/introspect")

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request.path)
        return web.Response(status=404, text="404 page not found")

    async def _discovery(self, request: web.Request) -> web.StreamResponse:
        """Hydra's OIDC discovery: no `introspection_endpoint` (it lives on the admin port)."""
        self.requests.append(request.path)
        return web.json_response(
            {"issuer": self.base + "/", "token_endpoint": self.base + "/oauth2/token"}
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        v2 = self.version == "v2"
        app.router.add_post("/admin/oauth2/introspect", self._introspect if v2 else self._not_found)
        if v2:
            app.router.add_post(
                "/oauth2/introspect", self._v1_redirect if self.redirect_v1 else self._not_found
            )
        else:
            app.router.add_post("/oauth2/introspect", self._introspect)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        assert site._server is not None
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


NOW = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)


def hydra_record(ttl: int = 3600, scope: str = "read", use: str = "access_token") -> dict[str, Any]:
    now = int(NOW.timestamp())
    return {
        "client_id": "orders",
        "sub": "orders",
        "scope": scope,
        "aud": ["https://orders.example"],
        "iss": HYDRA_ISSUER,
        "iat": now - 60,
        "exp": now + ttl,
        "token_use": use,
    }


@pytest_asyncio.fixture
async def hydra_v2() -> AsyncIterator[FakeHydraAdmin]:
    fake = FakeHydraAdmin("v2", NOW, redirect_v1=True)
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def hydra_v1() -> AsyncIterator[FakeHydraAdmin]:
    fake = FakeHydraAdmin("v1", NOW)
    await fake.start()
    yield fake
    await fake.stop()


async def test_hydra_v2_answers_at_the_admin_path(hydra_v2: FakeHydraAdmin) -> None:
    hydra_v2.tokens["ory_at_abcdefghijklmnop.qrstuvwx"] = hydra_record()
    report = await run(
        "introspect ory_at_abcdefghijklmnop.qrstuvwx",
        settings(hydra_admin_url=hydra_v2.base),
        NOW,
    )
    where = by_title(report, "Introspected at Hydra")
    assert where.evidence["hydra_version"] == "v2"
    assert hydra_v2.requests == ["/admin/oauth2/introspect"]
    assert by_title(report, "Token is active").status is Severity.OK


async def test_hydra_v1_is_found_after_the_v2_path_404s(hydra_v1: FakeHydraAdmin) -> None:
    hydra_v1.tokens["ory_at_abcdefghijklmnop.qrstuvwx"] = hydra_record()
    report = await run(
        "introspect ory_at_abcdefghijklmnop.qrstuvwx",
        settings(hydra_admin_url=hydra_v1.base),
        NOW,
    )
    where = by_title(report, "Introspected at Hydra v1")
    assert "gave 404" in where.detail
    assert hydra_v1.requests == ["/admin/oauth2/introspect", "/oauth2/introspect"]


async def test_v1_path_on_hydra_v2_redirects_to_localhost(hydra_v2: FakeHydraAdmin) -> None:
    hydra_v2.tokens["ory_at_abcdefghijklmnop.qrstuvwx"] = hydra_record()
    report = await run(
        f"introspect ory_at_abcdefghijklmnop.qrstuvwx --url {hydra_v2.base}/oauth2/introspect",
        settings(),
        NOW,
    )
    trap = by_title(report, "urls.self.admin")
    assert trap.status is Severity.WARN
    assert trap.evidence["location"] == "http://localhost:4445/admin/oauth2/introspect"
    assert hydra_v2.requests == ["/oauth2/introspect", "/admin/oauth2/introspect"]
    assert by_title(report, "Token is active").status is Severity.OK


async def test_no_hydra_at_the_admin_url_is_an_error(hydra_v1: FakeHydraAdmin) -> None:
    report = await run(
        "introspect ory_at_abcdefghijklmnop.qrstuvwx",
        settings(hydra_admin_url=hydra_v1.base + "/nothing-here"),
        NOW,
    )
    missing = by_title(report, "No Hydra introspection endpoint")
    assert missing.status is Severity.ERROR
    assert "4445" in missing.remedy


async def test_expired_jwt_is_explained(hydra_v2: FakeHydraAdmin) -> None:
    now = int(NOW.timestamp())
    token = make_jwt({"iss": HYDRA_ISSUER, "sub": "a", "exp": now - 3 * 3600, "scope": "read"})
    report = await run(
        f"introspect {token}", settings(hydra_admin_url=hydra_v2.base, issuer=HYDRA_ISSUER), NOW
    )
    assert by_title(report, "Token is not active").status is Severity.FAIL
    expired = by_title(report, "expired")
    assert expired.status is Severity.FAIL
    assert "3 h ago" in expired.title
    assert_no_leak(report, token)


async def test_jwt_from_another_issuer_is_explained(hydra_v2: FakeHydraAdmin) -> None:
    now = int(NOW.timestamp())
    token = make_jwt({"iss": "https://other.example/", "exp": now + 600, "scope": "read"})
    report = await run(
        f"introspect {token}", settings(hydra_admin_url=hydra_v2.base, issuer=HYDRA_ISSUER), NOW
    )
    other = by_title(report, "another issuer")
    assert other.status is Severity.FAIL
    assert "https://other.example/" in other.detail


async def test_jwt_lacking_the_required_scope_is_explained(hydra_v2: FakeHydraAdmin) -> None:
    now = int(NOW.timestamp())
    token = make_jwt({"iss": HYDRA_ISSUER, "exp": now + 600, "scope": "read"})
    report = await run(
        f"introspect {token} --scope write",
        settings(hydra_admin_url=hydra_v2.base, issuer=HYDRA_ISSUER),
        NOW,
    )
    lacks = by_title(report, "lacks scope")
    assert lacks.evidence["missing"] == ["write"]


async def test_active_refresh_token_and_near_expiry_are_warned(hydra_v2: FakeHydraAdmin) -> None:
    hydra_v2.tokens["ory_rt_abcdefghijklmnop.qrstuvwx"] = hydra_record(ttl=120, use="refresh_token")
    report = await run(
        "introspect ory_rt_abcdefghijklmnop.qrstuvwx", settings(hydra_admin_url=hydra_v2.base), NOW
    )
    assert by_title(report, "refresh token").status is Severity.WARN
    soon = by_title(report, "Token expires")
    assert soon.status is Severity.WARN
    assert "in 2 min" in soon.title


async def test_bearer_prefix_is_removed_before_introspection(hydra_v2: FakeHydraAdmin) -> None:
    hydra_v2.tokens["ory_at_abcdefghijklmnop.qrstuvwx"] = hydra_record()
    report = await run(
        'introspect "Bearer ory_at_abcdefghijklmnop.qrstuvwx"',
        settings(hydra_admin_url=hydra_v2.base),
        NOW,
    )
    assert by_title(report, "Token is active").status is Severity.OK
    assert by_title(report, "Removed the scheme").status is Severity.INFO


async def test_hydra_discovery_without_introspection_falls_back_to_the_admin_url(
    hydra_v2: FakeHydraAdmin,
) -> None:
    now = int(NOW.timestamp())
    token = make_jwt({"iss": "https://elsewhere.example/", "exp": now + 600, "scope": "read"})
    report = await run(
        f"introspect {token} --issuer {hydra_v2.base}", settings(hydra_admin_url=hydra_v2.base), NOW
    )
    note = by_title(report, "Discovery does not list an introspection endpoint")
    assert "Hydra never lists it" in note.detail
    assert hydra_v2.requests == ["/.well-known/openid-configuration", "/admin/oauth2/introspect"]
    other = by_title(report, "another issuer")
    assert f"belongs to {hydra_v2.base}/" in other.detail
