"""The HTTP transport every check's client uses: the guard applied at connect time, and limits
on what comes back.

`GuardedTransport` vets every request, every redirect hop included, with the address rules of
handlers/net/guard.py, and pins the connection to the address it checked (the Host header and
TLS server name keep the name), so a DNS answer that changes between the check and the connect
(rebinding) cannot switch the target. Endpoints from the bot's own configuration are trusted:
their origins pass unchecked. Every answer is capped in size and time, and a compressed one is
inflated here in small steps with the cap on the decoded size, so a compression bomb is refused
without stalling the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from handlers.net.guard import CONFIGURED_ENDPOINTS, Resolver, origin, vet


class Refused(httpx.TransportError):
    """Raised by GuardedTransport instead of connecting; the message is the one-line reason."""


#: No answer the checks read is larger than this (JWKS, discovery, error pages).
MAX_RESPONSE_BYTES = 1024 * 1024


class _Bounded(httpx.AsyncByteStream):
    """A response body that stops at `limit` bytes and at `deadline` (loop time).

    httpx's timeout applies per read, so a server trickling one byte a second would otherwise
    hold a check for as long as it likes; and a JWKS URL could answer gigabytes.
    """

    def __init__(self, inner: httpx.AsyncByteStream, limit: int, deadline: float) -> None:
        self.inner = inner
        self.limit = limit
        self.deadline = deadline

    async def __aiter__(self) -> Any:
        size = 0
        loop = asyncio.get_running_loop()
        iterator = self.inner.__aiter__()
        while True:
            left = self.deadline - loop.time()
            if left <= 0:
                raise httpx.ReadTimeout("the answer took too long to arrive")
            try:
                async with asyncio.timeout(left):
                    chunk = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise httpx.ReadTimeout("the answer took too long to arrive") from None
            size += len(chunk)
            if size > self.limit:
                raise httpx.ReadError(f"the answer is larger than {self.limit} bytes")
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


#: Each step of inflation produces at most this much, so no single call runs long.
_INFLATE_STEP = 64 * 1024
#: Past the first step, an answer that inflates more than this is refused as a bomb.
_BOMB_RATIO = 200


def _encodings(headers: httpx.Headers) -> list[str]:
    """The Content-Encoding layers, outermost last, as the server applied them."""
    values = [v.strip().lower() for v in headers.get("content-encoding", "").split(",")]
    return [v for v in values if v and v != "identity"]


def _inflater(encoding: str) -> Any:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, auto-detected
    return None  # br, zstd, compress: not decoded (nor advertised); the raw bytes stay capped


class _Inflated(httpx.AsyncByteStream):
    """A compressed answer decoded in small steps, with the cap on the DECODED size.

    Layers (`Content-Encoding: gzip, gzip`) are undone outermost first; every step yields to the
    event loop, so other users' acks stay fast while a bomb is being refused."""

    def __init__(self, inner: httpx.AsyncByteStream, encodings: list[str], limit: int) -> None:
        self.inner = inner
        self.layers = [_inflater(e) for e in reversed(encodings)]
        self.limit = limit
        #: Compressed bytes the outermost layer has taken so far.
        self.consumed = 0

    def _pieces(self, data: bytes, index: int) -> Iterator[bytes]:
        """`data` through layers `index`…, lazily, one bounded step at a time."""
        if index == len(self.layers):
            yield data
            return
        layer = self.layers[index]
        if layer is None:
            yield from self._pieces(data, index + 1)
            return
        pending = data
        while True:
            before = len(pending)
            try:
                step = layer.decompress(pending, _INFLATE_STEP)
            except zlib.error as exc:
                raise httpx.DecodingError(f"the answer's compression is broken: {exc}") from None
            pending = layer.unconsumed_tail
            if index == 0:
                self.consumed += before - len(pending)
            yield from self._pieces(step, index + 1)
            if not pending and len(step) < _INFLATE_STEP:
                return

    async def __aiter__(self) -> Any:
        size = 0
        async for chunk in self.inner:
            for piece in self._pieces(chunk, 0):
                size += len(piece)
                if size > self.limit:
                    raise httpx.ReadError(
                        f"the answer is larger than {self.limit} bytes once decompressed"
                    )
                if size >= _INFLATE_STEP and size > _BOMB_RATIO * self.consumed:
                    # Text compresses 5-20 fold; a run of zeros a thousand fold. A reader that
                    # stops early (send() keeps 64 KiB) would never see the cap above.
                    raise httpx.ReadError(
                        f"the answer inflates more than {_BOMB_RATIO}-fold once decompressed "
                        f"({self.consumed} bytes gave {size}): a compression bomb, not read"
                    )
                if piece:
                    yield piece
                await asyncio.sleep(0)

    async def aclose(self) -> None:
        await self.inner.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks every request's target before connecting and pins the connection to it.

    Requests to a trusted origin (the bot's own configured endpoints) pass unchanged. Any other
    request is resolved here, refused with `Refused` if an answer is forbidden, and otherwise
    sent to the first checked address with the original Host header and TLS server name.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        allowlist: Iterable[str],
        trusted: Iterable[str | None] = (),
        resolver: Resolver | None = None,
        *,
        max_bytes: int = MAX_RESPONSE_BYTES,
        max_seconds: float = 30.0,
    ) -> None:
        self.inner = inner
        self.allowlist = list(allowlist)
        self.trusted = {o for o in (origin(u) for u in trusted if u) if o is not None}
        self.resolver = resolver
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = asyncio.get_running_loop().time() + self.max_seconds
        async with asyncio.timeout(self.max_seconds):
            response = await self._forward(request)
        stream = response.stream
        if isinstance(stream, httpx.AsyncByteStream):
            bounded = _Bounded(stream, self.max_bytes, deadline)
            encodings = _encodings(response.headers)
            if encodings:
                # Decoded here, bounded, instead of by httpx, which inflates a whole chunk at
                # once: a 1 MB gzip bomb is 1 GB in one call, and the event loop waits for it.
                del response.headers["content-encoding"]
                response.stream = _Inflated(bounded, encodings, self.max_bytes)
            else:
                response.stream = bounded
        return response

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = origin(url)
        if key is not None and key in self.trusted:
            return await self.inner.handle_async_request(request)
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses, reason = await vet(host, port, self.allowlist, self.resolver)
        if reason:
            raise Refused(f"refused to call {url.scheme}://{host}: {reason}", request=request)
        if not addresses:
            raise httpx.ConnectError(
                f"DNS lookup failed for {host}: name or service not known", request=request
            )
        pinned = url.copy_with(host=str(addresses[0]))
        extensions: dict[str, Any] = dict(request.extensions)
        if url.scheme == "https":
            extensions["sni_hostname"] = host
        headers = httpx.Headers(request.headers)
        if "host" not in headers:
            headers["Host"] = url.netloc.decode("ascii")
        forwarded = httpx.Request(
            request.method,
            pinned,
            headers=headers,
            stream=request.stream,
            extensions=extensions,
        )
        return await self.inner.handle_async_request(forwarded)

    async def aclose(self) -> None:
        await self.inner.aclose()


@functools.lru_cache(maxsize=8)
def _default_ssl_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """Loading the CA bundle costs ~20 ms; done once per trust store, not once per request.
    Keyed on SSL_CERT_FILE/SSL_CERT_DIR so a changed trust store is honoured."""
    return httpx.create_ssl_context(verify=True)


def _verify(verify: Any) -> Any:
    if verify is True:
        return _default_ssl_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    return verify


def guarded_transport(
    settings: Any,
    inner: httpx.AsyncBaseTransport | None = None,
    *,
    verify: Any = True,
    resolver: Resolver | None = None,
) -> GuardedTransport:
    """The transport `handlers.net.client.http()` uses: configured endpoints trusted, the rest
    vetted."""
    trusted = [getattr(settings, name, None) for name in CONFIGURED_ENDPOINTS]
    timeout = float(getattr(settings, "timeout", 5.0))
    return GuardedTransport(
        inner or httpx.AsyncHTTPTransport(verify=_verify(verify)),
        getattr(settings, "url_allowlist", []) or [],
        trusted,
        resolver,
        max_seconds=timeout * 2,
    )
