"""Hostile answers and hostile input change nothing: compression bombs, secrets cut in half,
credentials inside URLs, secrets in usage errors, and hosts that are not valid IDNA.

Each test plays the attack against the real command path (parse → run → render) with real
loopback servers where an answer is involved.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.describe import describe, target
from handlers.core.grammar import parse
from handlers.core.model import Report, Severity
from handlers.core.redact import Redactor
from tests.reliability.conftest import loopback_settings, run_text

#: 64 MiB of zeros: about 64 KiB once gzipped.
BOMB_SIZE = 64 * 1024 * 1024
_bombs: dict[str, bytes] = {}


def bomb(encoding: str) -> bytes:
    if encoding not in _bombs:
        zeros = bytes(BOMB_SIZE)
        if encoding == "gzip":
            _bombs[encoding] = gzip.compress(zeros, 9)
        elif encoding == "deflate":
            _bombs[encoding] = zlib.compress(zeros, 9)
        else:  # "gzip, gzip": a bomb inside a bomb, each layer small
            _bombs[encoding] = gzip.compress(gzip.compress(zeros, 9), 9)
    return _bombs[encoding]


@pytest_asyncio.fixture
async def hostile() -> AsyncIterator[str]:
    async def compressed(request: web.Request) -> web.Response:
        encoding = request.query["enc"]
        return web.Response(
            status=401,
            body=bomb(encoding),
            headers={"Content-Encoding": encoding, "Content-Type": "application/json"},
        )

    async def small_gzip(request: web.Request) -> web.Response:
        body = gzip.compress(json.dumps({"error": "invalid_token"}).encode())
        return web.Response(
            status=401,
            body=body,
            headers={
                "Content-Encoding": "gzip",
                "Content-Type": "application/json",
                "WWW-Authenticate": 'Bearer error="invalid_token"',
            },
        )

    async def echo(request: web.Request) -> web.Response:
        """A token endpoint that quotes the credentials it refuses, cut to fit its buffer."""
        form = await request.post()
        said = f"client secret {form.get('client_secret', '')} is wrong"
        auth = request.headers.get("Authorization", "")
        if auth:
            said = f"credentials {auth.split(' ', 1)[1]} are wrong"
        return web.Response(status=401, text="<html><body>" + said + "</body></html>")

    app = web.Application()
    app.router.add_get("/bomb", compressed)
    app.router.add_get("/small", small_gzip)
    app.router.add_post("/echo/token", echo)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "gzip, gzip"])
async def test_compression_bombs_are_capped_decompressed(
    hostile: str, encoding: str, report_row: Any
) -> None:
    ticks = 0
    done = asyncio.Event()

    async def other_users() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(other_users())
    ctx = CheckContext(settings=loopback_settings(timeout=5))
    report = await run_text(f"probe {hostile}/bomb?enc={encoding.replace(' ', '%20')}", ctx)
    done.set()
    await ticker
    first = report.findings[0]
    assert first.status is Severity.ERROR
    assert "compression bomb" in first.detail
    # The loop kept serving others while the bomb was refused: many turns, not one long block.
    assert ticks > 10
    report_row(
        "Security",
        f"Compression bomb (`Content-Encoding: {encoding}`, 64 MiB of zeros)",
        "`probe` of a server answering with it",
        "an `error` finding (inflates more than 200-fold past 64 KiB, or past 1 MiB at all); "
        "inflated in 64 KiB steps that yield to the event loop",
        "nothing lost",
    )


async def test_small_compressed_answers_still_read(hostile: str) -> None:
    ctx = CheckContext(settings=loopback_settings(timeout=5))
    report = await run_text(f"probe {hostile}/small", ctx)
    blob = json.dumps(report.to_dict())
    assert "invalid_token" in blob
    assert not [f for f in report.findings if "decompress" in f.detail]


SECRET = "Zq8-secretValue-42xyZ"


async def test_a_secret_cut_by_an_excerpt_is_still_hidden(hostile: str, report_row: Any) -> None:
    """The token endpoint quotes the secret; its excerpt is cut a few characters before the end
    of it, and Basic credentials are quoted as base64."""
    for method_flag in ("", "basic"):
        padding = "x" * (160 - len("<html><body>client secret ") - len(SECRET) + 1)
        client_id = "client-" + padding if not method_flag else "client-a"
        text = f"token {hostile}/echo/token --client-id {client_id} --client-secret {SECRET}"
        report = await run_text(text, CheckContext(settings=loopback_settings(timeout=5)))
        blob = json.dumps(report.to_dict()) + render(report)
        for cut in range(8, len(SECRET) + 1):
            assert SECRET[:cut] not in blob
        basic = base64.b64encode(f"{client_id}:{SECRET}".encode()).decode()
        for cut in range(12, len(basic) + 1, 4):
            assert basic[:cut] not in blob
    redactor = Redactor([SECRET])
    cut = redactor.excerpt("error: " + SECRET + " is not valid", len("error: ") + len(SECRET) - 1)
    assert SECRET[:-1] not in cut
    prefix = base64.b64encode(SECRET.encode()).decode()[:16]
    assert prefix not in redactor.excerpt(f"token={prefix}", 100)
    report_row(
        "Security",
        "An answer quoting the secret, cut mid-secret or as a base64 prefix",
        "token endpoint echoing client_secret / Basic credentials, excerpts of 120–200 chars",
        "redacted before the cut; a trailing start of a secret and base64 that decodes to one "
        "are hidden too",
        "nothing shown",
    )


URL_SECRETS = [
    (
        "probe https://api.example.com/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=af0",
        "SplxlOBeZQQYbYS6WxSbIA",
    ),
    (
        "probe https://api.example.com/x?access_token=ory_at_abcDEF123456ghi",
        "ory_at_abcDEF123456ghi",
    ),
    ("diagnose https://api.example.com/x?client_secret=Po+st/Secret=42", "Po+st/Secret=42"),
    ("probe https://alice:hunter2-longer-pw@api.example.com/x", "hunter2-longer-pw"),
    ("probe https://alice:pw@api.example.com/x", "alice:pw@"),
    ("probe https://api.example.com/x?code=abc", "code=abc"),
    (
        "probe https://hooks.example.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX12",
        "XXXXXXXXXXXXXXXXXXXXXXXX12",
    ),
    (
        "probe https://api.example.com/v1/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX3Zh",
        "c2lnbmF0dXJlX3Zh",
    ),
    (
        "explain Authorization: Bearer ory_at_pastedTokenValue123456",
        "ory_at_pastedTokenValue123456",
    ),
    (
        "explain Jwt is expired eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX3Zh",
        "c2lnbmF0dXJlX3Zh",
    ),
]


@pytest.mark.parametrize(("text", "secret"), URL_SECRETS)
async def test_secrets_inside_urls_and_text_are_fingerprinted(
    text: str, secret: str, report_row: Any
) -> None:
    try:
        inv = parse(text, default_registry())
    except UsageError as refused:  # answered at once, in private: it still shows no secret
        reason = refused.one_line()
        assert secret not in reason
        return
    assert secret not in describe(inv)  # the parent message in the channel
    assert secret not in (target(inv) or "")  # the audit line's `target`

    async def no_dns(host: str, port: int) -> list[str]:
        raise OSError("no DNS in this test")

    ctx = CheckContext(settings=loopback_settings(timeout=1), resolver=no_dns)
    report: Report = await run_text(text, ctx)
    blob = json.dumps(report.to_dict()) + render(report)
    assert secret not in blob
    report_row(
        "Security",
        f"Credential inside a typed URL or text: `{text.split()[0]} …{secret[:3]}…`",
        "`?code=`, `?access_token=`, `?client_secret=`, `user:pass@`, a key in the path, "
        "`Authorization: Bearer` or a JWT in `explain` text",
        "fingerprinted in the channel message, the audit target, findings and errors",
        "nothing shown",
    )


@pytest.mark.parametrize(
    "text",
    [
        "probe https://a.example/x?access_token=ory_at_abcDEF123456ghi --method TRACE",
        "probe https://alice:hunter2-longer-pw@a.example/x extra-word",
        "introspect ory_at_abcDEF123456ghi --client-id a",
        "introspect ory_at_abcDEF123456ghi --client-secret ory_at_abcDEF123456ghi",
        "token https://a.example/t --client-secret ory_at_abcDEF123456ghi --grant password "
        "--client-id a --password-env AUTHCHECK_PASSWORD_X",
        "token https://a.example/t --client-id a --client-secret ory_at_abcDEF123456ghi "
        "--secret ns/name",
    ],
)
def test_usage_errors_never_echo_secret_values(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text, default_registry())
    message = caught.value.one_line()
    for secret in ("ory_at_abcDEF123456ghi", "hunter2-longer-pw"):
        assert secret not in message


@pytest.mark.parametrize(
    "text",
    [
        "probe https://xn--a.com/",
        "diagnose https://☃.-com/x",
        "token https://xn--ls8h.la/token --client-id a --client-secret b",
        "introspect tok-abc --url https://xn--a.com/introspect",
        "introspect tok-abc --issuer https://xn--ls8h.la/",
    ],
)
def test_invalid_idna_hosts_are_usage_errors(text: str, report_row: Any) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text, default_registry())
    assert "domain name" in caught.value.reason
    report_row(
        "Security",
        f"Invalid IDNA host: `{text.split()[1] if len(text.split()) > 1 else text}`",
        "a host that is not a valid internationalised domain name",
        "a usage error naming the parameter, never an internal error",
        "nothing sent",
    )
