"""Outbound requests to URLs from chat or from cluster objects cannot reach metadata services,
loopback, link-local addresses or the Kubernetes API — however the address is spelled, via DNS,
via a redirect, or via a DNS answer that changes between check and connect (rebinding)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
import pytest_asyncio
from aiohttp import web

from handlers.core.check import CheckContext
from handlers.core.model import Severity
from handlers.net import guard as targets
from handlers.net import transport
from handlers.net.client import http as http_client
from tests.reliability.conftest import loopback_settings, run_text

PROBE_TOKEN = "ssrf-test-probe-token-0123456789abcdef"

FORBIDDEN_URLS = [
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "AWS metadata"),
    ("http://[fe80::1]/", "link-local"),
    ("http://127.0.0.1:8080/", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:169.254.169.254]/", "link-local"),
    ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),
    ("http://2130706433/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "link-local"),
    ("http://0.0.0.0:4445/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://localhost:4445/", "loopback"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("https://kubernetes.default.svc/api/v1/secrets", "Kubernetes API"),
    ("https://kubernetes.default.svc.cluster.local:443/api", "Kubernetes API"),
    ("https://kubernetes/api", "Kubernetes API"),
    ("http://100.100.100.200/latest/meta-data/", "Alibaba"),
]


@pytest.mark.parametrize(("url", "fragment"), FORBIDDEN_URLS)
async def test_forbidden_targets_are_refused(url: str, fragment: str, report_row: object) -> None:
    reason = await targets.refusal(url, [])
    assert reason is not None
    assert fragment in reason
    host = urlsplit(url).hostname or ""
    assert await targets.refusal(url, ["0.0.0.0/0", "::/0", host]) is None
    report_row(  # type: ignore[operator]
        "Security",
        f"SSRF to `{url}`",
        "refusal check, then allow-listed",
        f"refused ({fragment}) unless AUTHCHECK_URL_ALLOWLIST names it",
        "no request sent",
    )


async def test_kubernetes_service_host_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    reason = await targets.refusal("https://10.96.0.1:443/api", [])
    assert reason is not None
    assert "Kubernetes API" in reason
    assert await targets.refusal("https://10.96.0.2:443/api", []) is None


async def test_dns_answers_are_checked_all_of_them() -> None:
    async def lying(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "169.254.169.254"]

    reason = await targets.refusal("http://api.example.test/", [], resolver=lying)
    assert reason is not None
    assert "169.254.169.254" in reason


@pytest_asyncio.fixture
async def origin_server() -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback server recording the Host header it was asked for; /redirect → metadata."""
    seen: list[str] = []

    async def any_path(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Host", ""))
        if request.path == "/redirect":
            return web.Response(status=302, headers={"Location": request.query["to"]})
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", any_path)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"127.0.0.1:{runner.addresses[0][1]}", seen
    await runner.cleanup()


async def test_connection_is_pinned_to_the_checked_address(
    origin_server: tuple[str, list[str]], report_row: object
) -> None:
    """`rebind.test` does not exist in real DNS: the request can only arrive if the transport
    connected to the address it vetted, never resolving the name a second time."""
    address, seen = origin_server
    port = int(address.split(":")[1])
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    settings = loopback_settings(url_allowlist=["127.0.0.1/32"])
    ctx = CheckContext(settings=settings, resolver=rebinding)
    async with http_client(ctx) as http:
        first = await http.get(f"http://rebind.test:{port}/x")
        assert first.status_code == 200
        assert seen == [f"rebind.test:{port}"]  # the name in Host, the vetted address on the wire
        with pytest.raises(transport.Refused, match=r"169\.254\.169\.254"):
            await http.get(f"http://rebind.test:{port}/x")
    assert len(seen) == 1
    report_row(  # type: ignore[operator]
        "Security",
        "DNS rebinding (first answer loopback-allowed, second 169.254.169.254)",
        "two requests to one name through handlers.net.client.http()",
        "first pinned to the vetted address (Host kept), second refused",
        "no request reached the metadata address",
    )


async def test_redirects_are_vetted_hop_by_hop(
    origin_server: tuple[str, list[str]], report_row: object
) -> None:
    address, seen = origin_server
    port = int(address.split(":")[1])

    async def dns(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "api.example.test" else []

    settings = loopback_settings(url_allowlist=["api.example.test"])
    ctx = CheckContext(settings=settings, resolver=dns)
    for target in ("http://169.254.169.254/latest/", f"http://127.0.0.1:{port}/x"):
        async with http_client(ctx, follow_redirects=True) as http:
            with pytest.raises(transport.Refused):
                await http.get(f"http://api.example.test:{port}/redirect", params={"to": target})
    assert seen == [f"api.example.test:{port}"] * 2, "only the allow-listed first hop was sent"
    report_row(  # type: ignore[operator]
        "Security",
        "redirect from an allowed host to metadata / loopback",
        "302 to 169.254.169.254 and to 127.0.0.1, redirects followed",
        "the second hop is refused",
        "no request reached the redirect target",
    )


@pytest.mark.parametrize(
    "text",
    [
        "probe http://api.example.test/orders --token " + PROBE_TOKEN,
        "token http://api.example.test/oauth2/token --client-id a --client-secret " + PROBE_TOKEN,
        "introspect " + PROBE_TOKEN + " --url http://api.example.test/introspect",
        "introspect " + PROBE_TOKEN + " --issuer http://api.example.test",
    ],
)
async def test_every_user_typed_url_path_is_guarded(text: str, report_row: object) -> None:
    """The name resolves (via the context's resolver) to the metadata address: each command
    answers `error: refused` and sends nothing."""

    async def metadata_dns(host: str, port: int) -> list[str]:
        return ["169.254.169.254"]

    ctx = CheckContext(settings=loopback_settings(url_allowlist=[]), resolver=metadata_dns)
    report = await run_text(text, ctx)
    blob = json.dumps(report.to_dict())
    assert "169.254.169.254" in blob
    assert "refused" in blob.lower()
    assert not [f for f in report.findings if f.status is Severity.FAIL]
    assert PROBE_TOKEN not in blob
    command = text.split(" ", 1)[0] + (" --issuer" if "--issuer" in text else "")
    report_row(  # type: ignore[operator]
        "Security",
        f"`{command}` to a name resolving to 169.254.169.254",
        "through the parser and runner",
        "`error`: refused, names the address",
        "no request sent",
    )


async def test_unresolvable_name_is_a_dns_error_not_a_bypass() -> None:
    async def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    ctx = CheckContext(settings=loopback_settings(url_allowlist=[]), resolver=nxdomain)
    async with http_client(ctx) as http:
        with pytest.raises(httpx.ConnectError, match="DNS lookup failed"):
            await http.get("http://nowhere.test/")
