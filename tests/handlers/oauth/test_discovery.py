"""Discovery URLs (RFC 8414 inserts the well-known segment; OIDC appends it) and a live read."""

from __future__ import annotations

from handlers.core.check import CheckContext
from handlers.core.settings import Settings
from handlers.oauth import discovery
from tests.fakes.oidc import OidcServer, free_port


def test_candidate_urls() -> None:
    assert discovery.candidate_urls("https://idp.example/tenant/") == [
        "https://idp.example/tenant/.well-known/openid-configuration",
        "https://idp.example/.well-known/oauth-authorization-server/tenant",
    ]
    assert discovery.candidate_urls("https://idp.example") == [
        "https://idp.example/.well-known/openid-configuration",
        "https://idp.example/.well-known/oauth-authorization-server",
    ]
    own = "https://idp.example/.well-known/openid-configuration"
    assert discovery.candidate_urls(own) == [own]


def test_hydra_paths_and_issuer_comparison() -> None:
    assert discovery.hydra_introspection_paths("http://h:4445/") == [
        ("v2", "http://h:4445/admin/oauth2/introspect"),
        ("v1", "http://h:4445/oauth2/introspect"),
    ]
    assert discovery.same_issuer("https://h/", "https://h")
    assert not discovery.same_issuer("https://h/", "https://other/")


async def test_reads_oidc_provider_metadata(oidc_server: OidcServer) -> None:
    ctx = CheckContext(settings=Settings(timeout=3, url_allowlist=["127.0.0.1"]))
    found = await discovery.discover(ctx, oidc_server.issuer)
    assert found.metadata is not None
    assert found.metadata.introspection_endpoint == oidc_server.introspection_url
    assert "client_secret_post" in found.metadata.token_auth_methods
    assert found.tried == [f"GET {oidc_server.issuer}/.well-known/openid-configuration → 200"]


async def test_unreachable_issuer_stops_after_one_request() -> None:
    ctx = CheckContext(settings=Settings(timeout=3, url_allowlist=["127.0.0.1"]))
    issuer = f"http://127.0.0.1:{free_port()}"
    found = await discovery.discover(ctx, issuer)
    assert found.metadata is None
    assert not found.answered
    assert found.tried == [f"connection refused to {issuer}/.well-known/openid-configuration"]
