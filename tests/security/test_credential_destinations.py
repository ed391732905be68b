"""A credential the bot holds goes only to the endpoint its own trusted source names.

Each test plays a workspace member who types a URL of their choosing and tries to make the bot send
it the bot's introspection client, a Kubernetes Secret's client credentials, a password from the
bot's environment, or to turn the bot against its own endpoints. The attacker's server is a real
loopback HTTP server that records every request: the assertion is that it saw nothing carrying a
credential (or nothing at all), and that the answer says where the credential belongs.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest
import pytest_asyncio
from aiohttp import web

from bot.cli.render import render
from handlers.core.check import CheckContext
from handlers.core.model import Report, Severity
from handlers.core.settings import Settings
from handlers.net import guard as targets
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401  (registers `kube`)
from tests.reliability.conftest import run_text

TOKEN = "ory_at_attacker-wants-this-checked-0123456789"
BOT_CLIENT_SECRET = "bot-introspection-secret-9f8e7d6c5b"
SECRET_IN_CLUSTER = "payments-client-secret-1a2b3c4d5e"
PASSWORD = "Corr3ct-Horse-Battery-Staple"


@dataclass
class Recorder:
    """A loopback HTTP server that records every request: the attacker's, or one of the bot's
    own endpoints that must not be reached."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)

    def carried(self, *values: str) -> bool:
        """Whether any request carried one of `values`, in clear or inside Basic credentials."""
        seen = []
        for r in self.requests:
            seen.append(r["body"])
            seen.extend(r["headers"].values())
            auth = r["headers"].get("Authorization", "")
            if auth.lower().startswith("basic "):
                seen.append(unquote(base64.b64decode(auth[6:]).decode(errors="replace")))
        blob = "\n".join(unquote(s) for s in seen)
        return any(v in blob for v in values)


async def _start(recorder: Recorder) -> web.AppRunner:
    async def handle(request: web.Request) -> web.StreamResponse:
        body = (await request.read()).decode(errors="replace")
        recorder.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "headers": dict(request.headers),
                "body": body,
            }
        )
        if request.path.endswith("/.well-known/openid-configuration") and recorder.document:
            return web.json_response(recorder.document)
        if request.path.endswith("introspect"):
            return web.json_response({"active": True, "client_id": "x", "scope": "read"})
        return web.json_response({"access_token": "stolen-token-value-xyz", "expires_in": 60})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    return runner


@pytest_asyncio.fixture
async def evil() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    runner = await _start(recorder)
    yield recorder
    await runner.cleanup()


@pytest_asyncio.fixture
async def own() -> AsyncIterator[Recorder]:
    """One of the bot's own configured endpoints (Hydra's admin/public port, the issuer)."""
    recorder = Recorder()
    runner = await _start(recorder)
    yield recorder
    await runner.cleanup()


def settings(own: Recorder, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "url_allowlist": ["127.0.0.1"],
        "timeout": 2,
        "kubeconfig": None,
        "hydra_admin_url": own.url,
        "hydra_public_url": own.url,
        "introspect_client_id": "authcheck-introspector",
        "introspect_client_secret": BOT_CLIENT_SECRET,
    }
    values.update(overrides)
    return Settings(**values)


async def run(text: str, st: Settings) -> Report:
    report = await run_text(text, CheckContext(settings=st))
    blob = json.dumps(report.to_dict()) + render(report)
    for value in (BOT_CLIENT_SECRET, SECRET_IN_CLUSTER, PASSWORD, TOKEN):
        assert value not in blob
    return report


def refused(report: Report, fragment: str) -> str:
    hits = [f for f in report.findings if fragment in f.title]
    assert hits, [f.title for f in report.findings]
    assert hits[0].status is Severity.ERROR  # could not do it: never a verdict on the token
    return hits[0].detail


async def test_introspect_url_never_gets_the_bot_s_own_client(
    evil: Recorder, own: Recorder, report_row: Any
) -> None:
    report = await run(f"introspect {TOKEN} --url {evil.url}/introspect", settings(own))
    detail = refused(report, "Refused to send authcheck's credentials")
    assert own.url in detail  # says where the credential belongs
    assert "Nothing was sent" in detail
    assert evil.requests == []
    assert report.status is Severity.ERROR
    # Control: with the user's own client the call goes where the user said.
    await run(
        f"introspect {TOKEN} --url {evil.url}/introspect --client-id mine --client-secret mine-pw",
        settings(own),
    )
    assert evil.carried("mine-pw")
    assert not evil.carried(BOT_CLIENT_SECRET)
    report_row(
        "Security",
        "`introspect --url <attacker>` with the bot's introspection client configured",
        "AUTHCHECK_INTROSPECT_CLIENT_ID/_SECRET set, URL typed in chat",
        "refused before any request: the answer names the configured endpoints the client "
        "belongs to; typed --client-id/--client-secret still go to the typed URL",
        "no credential sent",
    )


async def test_introspection_secret_from_the_cluster_stays_home(
    evil: Recorder, own: Recorder, kube: FakeKube
) -> None:
    kube.add_secret(
        "kyma-system",
        "authcheck-introspect",
        {"client_id": "authcheck", "client_secret": SECRET_IN_CLUSTER, "url": evil.url},
    )
    st = settings(
        own,
        introspect_client_id=None,
        introspect_client_secret=None,
        introspect_secret="kyma-system/authcheck-introspect",
        kubeconfig=str(kube.kubeconfig),
    )
    report = await run(f"introspect {TOKEN} --url {evil.url}/introspect", st)
    refused(report, "Refused to send authcheck's credentials")
    # Even a `url` key in the bot's own Secret does not widen where the bot's own client goes.
    assert evil.requests == []


async def test_discovery_from_a_typed_issuer_gets_no_bot_credentials(
    evil: Recorder, own: Recorder
) -> None:
    evil.document = {"issuer": evil.url, "introspection_endpoint": f"{evil.url}/introspect"}
    report = await run(f"introspect {TOKEN} --issuer {evil.url}", settings(own))
    refused(report, "Refused to send authcheck's credentials")
    assert [r["path"] for r in evil.requests] == ["/.well-known/openid-configuration"]
    assert not evil.carried(BOT_CLIENT_SECRET)


async def test_discovery_cannot_steer_the_bot_at_its_own_endpoints(
    evil: Recorder, own: Recorder, report_row: Any
) -> None:
    evil.document = {
        "issuer": evil.url,
        "introspection_endpoint": f"{own.url}/admin/oauth2/introspect",
        "token_endpoint": f"{own.url}/oauth2/token",
    }
    report = await run(f"introspect {TOKEN} --issuer {evil.url}", settings(own))
    assert "own configured endpoints" in refused(report, "Refused to call")
    report = await run(f"token {evil.url} --client-id a --client-secret b-secret", settings(own))
    assert "own configured endpoints" in refused(report, "Refused to call")
    evil.document = {"issuer": evil.url, "token_endpoint": "http://169.254.169.254/token"}
    report = await run(f"token {evil.url} --client-id a --client-secret b-secret", settings(own))
    assert "link-local" in refused(report, "Refused to call")
    assert own.requests == []
    report_row(
        "Security",
        "Discovery document from a typed issuer naming the bot's own or a metadata endpoint",
        "`introspect --issuer <attacker>`, `token <attacker>`; the document points at Hydra's "
        "admin port or 169.254.169.254",
        "refused: a typed issuer's document is the user's words, checked like a typed URL and "
        "never trusted like configuration",
        "no request to the named endpoint",
    )


async def test_token_with_a_cluster_secret_goes_nowhere_else(
    evil: Recorder, own: Recorder, kube: FakeKube, report_row: Any
) -> None:
    kube.add_secret(
        "apps",
        "payments-client",
        {"CLIENT_ID": "payments", "CLIENT_SECRET": SECRET_IN_CLUSTER},
    )
    st = settings(own, kubeconfig=str(kube.kubeconfig))
    report = await run(f"token {evil.url}/token --secret apps/payments-client", st)
    detail = refused(report, "Refused to send the client credentials")
    assert "Secret apps/payments-client" in detail
    assert own.url in detail
    # An issuer typed in chat whose document names its own token endpoint: the same refusal.
    evil.document = {"issuer": evil.url, "token_endpoint": f"{evil.url}/token"}
    report = await run(f"token {evil.url} --secret apps/payments-client", st)
    refused(report, "Refused to send the client credentials")
    assert not evil.carried(SECRET_IN_CLUSTER, "payments")
    assert all(r["path"].startswith("/.well-known") for r in evil.requests)
    # Control: the configured Hydra is where an OAuth2Client's Secret belongs.
    await run(f"token {own.url}/oauth2/token --secret apps/payments-client", st)
    assert own.carried("payments")
    report_row(
        "Security",
        "`token <attacker> --secret <any readable Secret>`",
        "a Secret without a `url` of its own, typed token URL and typed issuer",
        "refused: a Secret's credentials go to the server it names, else only to the bot's "
        "configured Hydra and issuer",
        "no credential sent",
    )


async def test_a_binding_secret_goes_only_to_its_own_uaa(
    evil: Recorder, own: Recorder, kube: FakeKube
) -> None:
    kube.add_secret(
        "apps",
        "xsuaa",
        {
            "clientid": "sb-app!t1",
            "clientsecret": SECRET_IN_CLUSTER,
            "url": own.url,
            "uaadomain": "authentication.eu10.hana.ondemand.com",
        },
    )
    st = settings(
        own,
        kubeconfig=str(kube.kubeconfig),
        hydra_public_url="http://hydra.invalid:4444",
        hydra_admin_url="http://hydra.invalid:4445",
    )
    report = await run(f"token {evil.url}/oauth/token --secret apps/xsuaa", st)
    detail = refused(report, "Refused to send the client credentials")
    assert "https://*.authentication.eu10.hana.ondemand.com" in detail
    assert evil.requests == []
    await run(f"token {own.url}/oauth/token --secret apps/xsuaa", st)
    assert own.carried("sb-app")


async def test_environment_credentials_go_where_the_environment_says(
    evil: Recorder,
    own: Recorder,
    kube: FakeKube,
    monkeypatch: pytest.MonkeyPatch,
    report_row: Any,
) -> None:
    monkeypatch.setenv("AUTHCHECK_CLIENT_SECRET_ORDERS", SECRET_IN_CLUSTER)
    monkeypatch.setenv("AUTHCHECK_PASSWORD_JANE", PASSWORD)
    st = settings(own, kubeconfig=str(kube.kubeconfig))
    typed = "--client-id orders --client-secret-env AUTHCHECK_CLIENT_SECRET_ORDERS"
    report = await run(f"token {evil.url}/oauth/token {typed}", st)
    assert "AUTHCHECK_CLIENT_SECRET_ORDERS_URL" in refused(report, "Refused to send the client")
    # The client secret's variable names the attacker's host (an operator's mistake or a
    # compromised value): the password still belongs to its own server only.
    monkeypatch.setenv("AUTHCHECK_CLIENT_SECRET_ORDERS_URL", evil.url)
    kube.add_secret("apps", "jane", {"username": "jane", "password": PASSWORD, "url": own.url})
    report = await run(
        f"token {evil.url}/oauth/token {typed} --grant password --password-secret apps/jane", st
    )
    # The refusal names the server the Secret's `url` points at: a URL is not a secret.
    assert own.url in refused(report, "Refused to send the user's password")
    report = await run(
        f"token {evil.url}/oauth/token {typed} --grant password --username jane "
        "--password-env AUTHCHECK_PASSWORD_JANE",
        st,
    )
    refused(report, "Refused to send the user's password")
    assert not evil.carried(PASSWORD)
    assert evil.requests == []
    report_row(
        "Security",
        "`token <attacker>` with a client secret or password from the bot's environment or a "
        "Secret",
        "--client-secret-env, --password-env, --password-secret, typed token URL",
        "refused unless `<VAR>_URL` (environment) or the Secret's `url` names that server; a "
        "password is checked apart from the client",
        "no credential sent",
    )


@pytest.mark.parametrize("command", ["probe", "diagnose"])
@pytest.mark.parametrize("method", ["DELETE", "POST", "PUT", "PATCH"])
async def test_writing_methods_never_reach_the_bot_s_own_endpoints(
    own: Recorder, command: str, method: str, report_row: Any
) -> None:
    url = f"{own.url}/admin/clients/orders-client"
    report = await run(f"{command} {url} --method {method}", settings(own))
    assert "own configured endpoints" in refused(report, "Refused to send that method")
    assert own.requests == []
    report_row(
        "Security",
        f"`{command} <Hydra admin URL> --method {method}`",
        "Hydra's admin API (no authentication) as configured, writing method typed in chat",
        "refused before any request: only GET, HEAD and OPTIONS reach the bot's own endpoints "
        "and in-cluster services",
        "nothing sent",
    )


@pytest.mark.parametrize(
    ("url", "answer", "fragment"),
    [
        (
            "http://ory-hydra-admin.kyma-system.svc.cluster.local:4445/admin/clients/x",
            [],
            "in-cluster",
        ),
        ("http://ory-hydra-admin:4445/admin/clients/x", [], "in-cluster"),
        ("http://api.internal-looking.example/x", ["10.0.0.5"], "private"),
        ("http://api.internal-looking.example/x", ["fd12::1"], "private"),
    ],
)
async def test_writing_methods_never_reach_cluster_addresses(
    own: Recorder, url: str, answer: list[str], fragment: str
) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return answer

    ctx = CheckContext(settings=settings(own), resolver=resolver)
    report = await run_text(f"probe {url} --method DELETE", ctx)
    assert fragment in refused(report, "Refused to send that method")
    # GET only reads: it is left to the usual SSRF guard (not sent here: no private traffic).
    assert await targets.method_refusal("GET", url, ctx.settings, resolver) is None
    allowed = settings(
        own,
        url_allowlist=[
            "127.0.0.1",
            "10.0.0.0/8",
            "fd00::/8",
            "ory-hydra-admin",
            "ory-hydra-admin.kyma-system.svc.cluster.local",
        ],
    )
    assert await targets.method_refusal("DELETE", url, allowed, resolver) is None


async def test_the_configured_issuer_stays_trusted_when_typed(own: Recorder) -> None:
    """Control for the refusals above: typing the bot's own issuer is not an attack, and its
    discovery document may name the introspection endpoint the bot's client then calls."""
    own.document = {"issuer": own.url, "introspection_endpoint": f"{own.url}/oauth2/introspect"}
    st = settings(own, issuer=own.url)
    report = await run(f"introspect {TOKEN} --issuer {own.url}", st)
    assert not [f for f in report.findings if f.title.startswith("Refused")]
    assert own.carried(BOT_CLIENT_SECRET)
    assert [r["path"] for r in own.requests][-1] == "/oauth2/introspect"
