"""Turns what went wrong on the wire into one sentence that names what was tried.

An unreachable server is never a verdict on the token or the client: checks turn these sentences
into `error` findings. Every call also gets a hard deadline here, because httpx's timeout is per
read and a server that trickles bytes could otherwise hold a command for much longer.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from handlers.core.check import CheckContext
from handlers.core.observation import Observation, Seen, Unknown
from handlers.net.client import http
from handlers.net.transport import Refused


@dataclass(frozen=True)
class Answer:
    """An HTTP answer reduced to what the checks read; the body is capped."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed_ms: int

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def text(self, limit: int = 2000) -> str:
        return self.body[:limit].decode("utf-8", errors="replace")


#: Bodies larger than this are cut: error bodies are small, and a login page need not be read.
MAX_BODY = 64 * 1024


def describe(exc: BaseException, url: str, timeout: float) -> str:
    """`connection refused to http://...`, `timed out after 5 s calling ...`, and so on."""
    if isinstance(exc, Refused):
        return (
            f"{exc}; URLs from chat or from cluster objects may not reach such addresses "
            "unless AUTHCHECK_URL_ALLOWLIST names them"
        )
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return f"timed out after {timeout:g} s calling {url}"
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLError) or "ssl" in lowered or "certificate" in lowered:
        return f"TLS handshake with {url} failed: {text[:200]}"
    if (
        "name or service not known" in lowered
        or "nodename nor servname" in lowered
        or ("temporary failure in name resolution" in lowered)
        or "getaddrinfo" in lowered
        or "no address associated" in lowered
    ):
        return f"DNS lookup failed for the host of {url}: {text[:200]}"
    if "refused" in lowered or "all connection attempts failed" in lowered:
        return f"connection refused to {url}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{url} closed the connection or sent no valid HTTP answer: {text[:200]}"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"cannot call {url}: {text[:200]}"
    return f"calling {url} failed: {type(exc).__name__}: {text[:200]}"


async def send(
    ctx: CheckContext,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
) -> Observation[Answer]:
    """One request, no redirects followed, bounded by AUTHCHECK_TIMEOUT overall.

    `Seen(answer)`, or `Unknown` whose reason is a sentence naming what was tried and what went
    wrong (already free of secrets the redactor knows): an unreachable server is never a verdict.
    """
    timeout = ctx.settings.timeout
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        async with asyncio.timeout(timeout), http(ctx) as client:
            request = client.build_request(method, url, headers=dict(headers or {}), data=data)
            response = await client.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_BODY:
                        break
            finally:
                await response.aclose()
    except (httpx.HTTPError, TimeoutError, OSError, ssl.SSLError) as exc:
        return Unknown(
            ctx.redactor.text(describe(exc, url, timeout)),
            "a reachable URL (DNS, NetworkPolicy, egress, AUTHCHECK_URL_ALLOWLIST)",
        )
    return Seen(
        Answer(
            url=url,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=b"".join(chunks)[:MAX_BODY],
            elapsed_ms=int((loop.time() - started) * 1000),
        )
    )


def server_time(answer: Answer | None) -> datetime | None:
    """The `Date` header of an answer as an aware datetime: the validating server's clock,
    which is what clock-skew findings compare a token's `iat`/`nbf`/`exp` with."""
    raw = answer.header("date") if answer else None
    if not raw:
        return None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None
