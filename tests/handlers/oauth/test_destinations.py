"""`Destinations`: which URLs a credential's own source names, and nothing else."""

from __future__ import annotations

import pytest

from handlers.core.settings import Settings
from handlers.oauth.destinations import Credentials, Destinations, configured, origin

XSUAA = Destinations.of(
    "binding Secret apps/xsuaa",
    ["https://sub.authentication.eu10.hana.ondemand.com", None, ""],
    ["authentication.eu10.hana.ondemand.com"],
)


@pytest.mark.parametrize(
    ("url", "permitted"),
    [
        ("https://sub.authentication.eu10.hana.ondemand.com/oauth/token", True),
        ("https://SUB.authentication.eu10.hana.ondemand.com:443/oauth/token", True),
        ("https://other.authentication.eu10.hana.ondemand.com/oauth/token", True),
        ("http://other.authentication.eu10.hana.ondemand.com/oauth/token", False),
        ("https://sub.authentication.eu10.hana.ondemand.com:8443/oauth/token", True),
        ("https://authentication.eu10.hana.ondemand.com.evil.example/oauth/token", False),
        ("https://evilauthentication.eu10.hana.ondemand.com/oauth/token", False),
        ("https://sub.authentication.eu10.hana.ondemand.com@evil.example/", False),
        ("not a url", False),
        ("https://xn--a.com/", False),
    ],
)
def test_a_binding_permits_its_own_server_only(url: str, permitted: bool) -> None:
    assert XSUAA.permits(url) is permitted


def test_origin_fills_default_ports_and_lowercases() -> None:
    assert origin("HTTPS://Hydra.Example/x") == ("https", "hydra.example", 443)
    assert origin("http://hydra:4445") == ("http", "hydra", 4445)
    assert origin("ftp://x/") is None


def test_configured_endpoints_and_the_refusal_names_them() -> None:
    st = Settings(
        hydra_admin_url="http://hydra-admin:4445",
        hydra_public_url="http://hydra-public:4444",
        issuer="https://issuer.example/",
        kubeconfig=None,
    )
    creds = Credentials("bot", "bot-secret-value", "AUTHCHECK_INTROSPECT_CLIENT_ID", configured(st))
    assert creds.refusal("http://hydra-admin:4445/admin/oauth2/introspect") is None
    assert creds.refusal("https://issuer.example/oauth2/token") is None
    refusal = creds.refusal("https://evil.example/introspect")
    assert refusal is not None
    assert "https://evil.example" in refusal
    assert "http://hydra-admin:4445" in refusal
    assert "bot-secret-value" not in refusal
    trimmed = creds.with_values("bot", "bot-secret-value ".strip())
    assert trimmed.refusal("https://evil.example/") is not None  # same source, same binding


def test_typed_credentials_go_where_the_user_says() -> None:
    assert Credentials("a", "b", "--client-id/--client-secret").refusal("https://x.test/") is None


def test_a_trusted_document_may_add_an_endpoint() -> None:
    base = Destinations.of("config", ["https://issuer.example"])
    wider = base.including("https://introspect.example:8443/introspect")
    assert wider.permits("https://introspect.example:8443/x")
    assert not base.permits("https://introspect.example:8443/x")
    assert wider.including("::not a url::") is wider
