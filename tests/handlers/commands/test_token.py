"""`token`: client-credentials requests and failure diagnosis by experiment, against the real
oidc-provider, a UAA-like endpoint (raw Basic unless X-CF-ENCODED-CREDENTIALS) and the Hydra
fake (auth-method check), through parse → run_invocation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.gatekeepers import FakeUaa
from tests.fakes.hydra_admin import FakeHydra, hydra_client, hydra_fixture  # noqa: F401
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401
from tests.fakes.oidc import OidcServer, free_port

LOOPBACK = ["127.0.0.1"]
PLUS_SECRET = "Sx+9/aQ=b+Yz/Tk2=="


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"url_allowlist": LOOPBACK, "timeout": 3, "kubeconfig": None}
    values.update(overrides)
    return Settings(**values)


async def run(text: str, st: Settings | None = None) -> Report:
    inv = parse(text, default_registry())
    return await run_invocation(inv, CheckContext(settings=st or settings()))


def by_title(report: Report, fragment: str) -> Finding:
    matches = [f for f in report.findings if fragment.lower() in f.title.lower()]
    assert matches, f"no finding with {fragment!r}: {[f.title for f in report.findings]}"
    return matches[0]


def attempts(report: Report) -> list[dict[str, Any]]:
    found = by_title(report, "token request")
    return list(found.evidence["attempts"])


def assert_no_leak(report: Report, *secrets: str) -> None:
    blob = json.dumps(report.to_dict()) + render(report)
    for secret in secrets:
        assert secret not in blob


# -- the real oidc-provider --------------------------------------------------------------------


async def test_success_reports_lifetime_scopes_and_how_the_server_decodes(
    oidc_server: OidcServer,
) -> None:
    report = await run(
        f"token {oidc_server.token_url} --client-id svc-plus --client-secret '{PLUS_SECRET}' "
        "--scope read"
    )
    got = by_title(report, "got a token")
    assert got.status is Severity.OK
    assert "lifetime: 600 s" in got.detail
    assert "granted scopes: read" in got.detail
    # oidc-provider URL-decodes Basic credentials: the raw `+` becomes a space and fails.
    decodes = by_title(report, "URL-decodes Basic credentials")
    assert "`+` `/` `=`" in decodes.detail
    assert [(a["method"], a["status"]) for a in attempts(report)] == [
        ("basic-encoded", 200),
        ("basic-raw", 401),
    ]
    assert report.status is Severity.INFO
    assert_no_leak(report, PLUS_SECRET)


async def test_jwt_access_token_is_decoded(oidc_server: OidcServer) -> None:
    report = await run(
        f"token {oidc_server.issuer} --client-id svc-jwt --client-secret 'Jwt+Client/Secret=7' "
        "--scope read"
    )
    assert by_title(report, "Token endpoint from discovery").evidence["token_endpoint"] == (
        oidc_server.token_url
    )
    got = by_title(report, "got a token")
    assert "format: JWT" in got.detail
    assert "audience: https://api.authcheck.test" in got.detail
    assert f"issuer: {oidc_server.issuer}" in got.detail
    assert got.evidence["jwt"] is True


async def test_oidc_provider_accepts_basic_for_a_client_registered_for_post(
    oidc_server: OidcServer,
) -> None:
    """Observed: oidc-provider treats client_secret_basic and _post as interchangeable."""
    report = await run(
        f"token {oidc_server.token_url} --client-id svc-post --client-secret 'Po+st/Secret=42xyz'"
    )
    assert by_title(report, "got a token").status is Severity.OK
    assert attempts(report)[0]["method"] == "basic-encoded"


async def test_wrong_secret_is_refused_by_every_method_within_budget(
    oidc_server: OidcServer,
) -> None:
    wrong = "Not+the/secret=1"
    report = await run(
        f"token {oidc_server.token_url} --client-id svc-plus --client-secret '{wrong}'"
    )
    refused = by_title(report, "refused by every authentication method")
    assert refused.status is Severity.FAIL
    assert "invalid_client" in refused.detail
    tried = attempts(report)
    assert [a["method"] for a in tried] == ["basic-encoded", "post-body", "basic-raw"]
    assert all(a["status"] == 401 for a in tried)
    assert_no_leak(report, wrong)


async def test_unknown_plain_client_costs_two_requests(oidc_server: OidcServer) -> None:
    report = await run(
        f"token {oidc_server.token_url} --client-id nobody --client-secret plain-secret-1"
    )
    assert by_title(report, "refused by every authentication method").status is Severity.FAIL
    assert [a["method"] for a in attempts(report)] == ["basic-encoded", "post-body"]


async def test_scope_not_allowed_is_confirmed_without_it(oidc_server: OidcServer) -> None:
    report = await run(
        f"token {oidc_server.token_url} --client-id svc-plus --client-secret '{PLUS_SECRET}' "
        "--scope admin"
    )
    scope = by_title(report, "Scope not allowed")
    assert scope.status is Severity.FAIL
    assert "invalid_scope" in scope.detail
    assert "Without --scope the client gets a token" in scope.detail
    assert len(attempts(report)) == 2


async def test_trailing_newline_in_the_secret_from_kubernetes(
    oidc_server: OidcServer, kube: FakeKube
) -> None:
    kube.add_secret(
        "apps", "orders", {"client_id": "svc-plus", "client_secret": PLUS_SECRET + "\n"}
    )
    # The Secret names no server: its credentials go to the bot's configured issuer only.
    st = kube.settings(url_allowlist=LOOPBACK, issuer=oidc_server.issuer)
    report = await run(f"token {oidc_server.token_url} --secret apps/orders", st)
    newline = by_title(report, "trailing newline")
    assert newline.status is Severity.FAIL
    assert "The trimmed secret works" in newline.detail
    assert "echo -n" in newline.remedy
    assert len(attempts(report)) <= 5
    assert_no_leak(report, PLUS_SECRET)


async def test_unreachable_token_endpoint_is_an_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/oauth2/token"
    report = await run(f"token {url} --client-id a --client-secret b-secret")
    unreachable = by_title(report, "unreachable")
    assert unreachable.status is Severity.ERROR
    assert f"connection refused to {url}" in unreachable.detail
    assert len(attempts(report)) == 1


async def test_user_typed_loopback_is_refused_without_allowlist(oidc_server: OidcServer) -> None:
    report = await run(
        f"token {oidc_server.token_url} --client-id a --client-secret b-secret",
        settings(url_allowlist=[]),
    )
    assert by_title(report, "Refused to call").status is Severity.ERROR


# -- UAA ---------------------------------------------------------------------------------------


async def test_uaa_raw_basic_and_the_cf_header_remedy(uaa: FakeUaa) -> None:
    uaa.clients["sb-app!t1"] = "abc+def/ghi="
    report = await run(
        f"token {uaa.base}/oauth/token --client-id 'sb-app!t1' --client-secret 'abc+def/ghi='"
    )
    raw = by_title(report, "UAA takes Basic credentials raw")
    assert raw.status is Severity.FAIL
    assert "X-CF-ENCODED-CREDENTIALS: true" in raw.remedy
    assert [a["method"] for a in attempts(report)] == [
        "basic-encoded",
        "post-body",
        "basic-raw",
        "basic-encoded+x-cf-encoded",
    ]
    assert uaa.requests == 4
    assert_no_leak(report, "abc+def/ghi=")


async def test_uaa_bad_credentials_wording(uaa: FakeUaa) -> None:
    uaa.clients["sb-app!t1"] = "the-real-secret"
    report = await run(
        f"token {uaa.base}/oauth/token --client-id 'sb-app!t1' --client-secret wrong-secret-x"
    )
    refused = by_title(report, "refused by every authentication method")
    assert "Bad credentials" in refused.detail
    assert "UAA wording" in refused.detail
    # XSUAA client ids contain `!`, which URL-encoding changes: raw and X-CF variants are tried.
    assert [a["method"] for a in attempts(report)] == [
        "basic-encoded",
        "post-body",
        "basic-raw",
        "basic-encoded+x-cf-encoded",
    ]
    assert uaa.requests == 4


# -- Hydra's auth-method check -----------------------------------------------------------------


async def test_client_registered_for_post_is_pinpointed(hydra: FakeHydra) -> None:
    hydra.add_client(hydra_client("orders", "plainsecret123", auth_method="client_secret_post"))
    report = await run(
        f"token {hydra.public_url}/oauth2/token --client-id orders --client-secret plainsecret123"
    )
    post = by_title(report, "only authenticates with credentials in the POST body")
    assert post.status is Severity.FAIL
    assert "client_secret_post" in post.detail
    assert by_title(report, "got a token").status is Severity.OK
    assert hydra.requests == ["/oauth2/token", "/oauth2/token"]


async def test_not_a_token_endpoint_is_an_error(hydra: FakeHydra) -> None:
    report = await run(f"token {hydra.admin_url}/oauth2/token --client-id a --client-secret b1234")
    wrong = by_title(report, "did not answer like a token endpoint")
    assert wrong.status is Severity.ERROR
    assert "HTTP 404" in wrong.detail or "HTTP 405" in wrong.detail


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "token http://x/oauth/token",
            "give the client: --client-id ID --client-secret S, or --secret NS/NAME",
        ),
        (
            "token x/oauth/token --secret a/b",
            "<token-url-or-issuer>: it must start with http:// or https://",
        ),
        ("token http://x/t --client-secret s", "--client-id and --client-secret go together"),
    ],
)
def test_bad_input_is_a_usage_error(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text, default_registry())
    assert caught.value.reason == reason
