"""`request_client_credentials` against the real oidc-provider: what each variant gets back."""

from __future__ import annotations

import re

import pytest

from handlers.core.check import CheckContext
from handlers.core.settings import Settings
from handlers.oauth.destinations import CredentialRefused, Credentials, Destinations
from handlers.oauth.token_request import request_client_credentials
from tests.fakes.oidc import OidcServer, free_port

SECRET = "Sx+9/aQ=b+Yz/Tk2=="


def typed(client_id: str, secret: str) -> Credentials:
    """Credentials a user typed: they go where that user says."""
    return Credentials(client_id, secret, "--client-id/--client-secret")


def context() -> CheckContext:
    return CheckContext(settings=Settings(timeout=3, url_allowlist=["127.0.0.1"]))


async def test_encoded_basic_gets_a_token_and_registers_it(oidc_server: OidcServer) -> None:
    ctx = context()
    attempt = await request_client_credentials(
        ctx, oidc_server.token_url, typed("svc-plus", SECRET), scope="read"
    )
    assert attempt.ok
    assert attempt.status == 200
    assert attempt.expires_in == 600
    assert attempt.scope == "read"
    assert attempt.access_token is not None
    assert attempt.access_token in ctx.redactor.secrets
    assert ctx.redactor.text(f"x {SECRET} y") != f"x {SECRET} y"


async def test_raw_plus_is_decoded_as_space_by_oidc_provider(oidc_server: OidcServer) -> None:
    attempt = await request_client_credentials(
        context(), oidc_server.token_url, typed("svc-plus", SECRET), method="basic-raw"
    )
    assert not attempt.ok
    assert attempt.rejected_client
    assert (attempt.status, attempt.error) == (401, "invalid_client")
    assert attempt.www_authenticate is not None
    assert "invalid_client" in attempt.www_authenticate


async def test_post_body_and_invalid_scope(oidc_server: OidcServer) -> None:
    ctx = context()
    ok = await request_client_credentials(
        ctx, oidc_server.token_url, typed("svc-post", "Po+st/Secret=42xyz"), method="post-body"
    )
    assert ok.ok
    bad = await request_client_credentials(
        ctx, oidc_server.token_url, typed("svc-plus", SECRET), scope="admin"
    )
    assert (bad.status, bad.error) == (400, "invalid_scope")
    assert not bad.rejected_client


async def test_transport_error_is_a_sentence() -> None:
    url = f"http://127.0.0.1:{free_port()}/token"
    attempt = await request_client_credentials(context(), url, typed("a", "b"))
    assert attempt.status is None
    assert not attempt.ok
    assert attempt.transport_error == f"connection refused to {url}"


async def test_bound_credentials_are_never_sent_elsewhere(oidc_server: OidcServer) -> None:
    """A credential from a trusted source raises before any byte leaves for another server."""
    bound = Credentials(
        "svc-plus", SECRET, "Secret apps/x", Destinations.of("Secret apps/x", ["https://idp.test"])
    )
    ctx = context()
    with pytest.raises(CredentialRefused, match=re.escape("https://idp.test")) as caught:
        await request_client_credentials(ctx, oidc_server.token_url, bound)
    assert SECRET not in str(caught.value)
    assert SECRET not in ctx.redactor.secrets  # nothing was even prepared for the wire
    permitted = Credentials(
        "svc-plus", SECRET, "Secret apps/x", Destinations.of("x", [oidc_server.token_url])
    )
    assert (await request_client_credentials(ctx, oidc_server.token_url, permitted)).ok
