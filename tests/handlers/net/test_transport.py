"""GuardedTransport, unit by unit: vetted and pinned, trusted origins unvetted, answers capped.

The attacks themselves (rebinding, redirect hops, compression bombs against the event loop) are
played in tests/security; these pin down each rule of the transport on an in-memory inner
transport, so a change that breaks one says which.
"""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import httpx
import pytest

from handlers.net import transport
from handlers.net.guard import Resolver


def answering(*addresses: str) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


async def nxdomain(host: str, port: int) -> list[str]:
    raise OSError("name or service not known")


class Streamed(httpx.AsyncByteStream):
    """A body that arrives over the wire in 512-byte chunks. (`httpx.Response(content=...)`
    is read at once, past any stream the transport puts around it.)"""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 512):
            yield self.body[start : start + 512]


def recording(
    seen: list[httpx.Request], body: bytes = b"ok", headers: dict[str, str] | None = None
) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, stream=Streamed(body), headers=headers or {})

    return httpx.MockTransport(handle)


async def test_the_connection_goes_to_the_vetted_address_under_the_typed_name() -> None:
    seen: list[httpx.Request] = []
    guarded = transport.GuardedTransport(recording(seen), [], resolver=answering("93.184.216.34"))
    async with httpx.AsyncClient(transport=guarded) as http:
        answer = await http.get("https://api.example.test/x")
    assert answer.text == "ok"
    [sent] = seen
    assert sent.url.host == "93.184.216.34"
    assert sent.headers["host"] == "api.example.test"
    assert sent.extensions["sni_hostname"] == "api.example.test"


async def test_a_name_with_one_forbidden_answer_is_refused_before_connecting() -> None:
    seen: list[httpx.Request] = []
    lying = answering("93.184.216.34", "169.254.169.254")
    guarded = transport.GuardedTransport(recording(seen), [], resolver=lying)
    async with httpx.AsyncClient(transport=guarded) as http:
        with pytest.raises(transport.Refused, match="link-local"):
            await http.get("http://api.example.test/x")
    assert seen == []


async def test_only_the_configured_origins_pass_unvetted() -> None:
    seen: list[httpx.Request] = []
    guarded = transport.GuardedTransport(recording(seen), [], trusted=["http://127.0.0.1:4445/"])
    async with httpx.AsyncClient(transport=guarded) as http:
        assert (await http.get("http://127.0.0.1:4445/health/alive")).status_code == 200
        with pytest.raises(transport.Refused, match="loopback"):
            await http.get("http://127.0.0.1:4446/health/alive")
    assert [str(r.url) for r in seen] == ["http://127.0.0.1:4445/health/alive"]


async def test_a_name_that_does_not_resolve_is_a_connect_error_not_a_refusal() -> None:
    guarded = transport.GuardedTransport(recording([]), [], resolver=nxdomain)
    async with httpx.AsyncClient(transport=guarded) as http:
        with pytest.raises(httpx.ConnectError, match=r"DNS lookup failed for nowhere\.test"):
            await http.get("http://nowhere.test/")


async def test_an_answer_over_the_cap_is_not_read() -> None:
    inner = recording([], body=b"x" * 2048)
    guarded = transport.GuardedTransport(inner, ["127.0.0.1"], max_bytes=1024)
    async with httpx.AsyncClient(transport=guarded) as http:
        with pytest.raises(httpx.ReadError, match="larger than 1024 bytes"):
            await http.get("http://127.0.0.1:1/big")


async def test_a_compressed_answer_is_decoded_here_and_capped_decoded() -> None:
    small = recording([], body=gzip.compress(b'{"keys": []}'), headers={"content-encoding": "gzip"})
    guarded = transport.GuardedTransport(small, ["127.0.0.1"], max_bytes=1024)
    async with httpx.AsyncClient(transport=guarded) as http:
        assert (await http.get("http://127.0.0.1:1/jwks")).json() == {"keys": []}
    big = recording([], body=gzip.compress(b"a" * 4096), headers={"content-encoding": "gzip"})
    guarded = transport.GuardedTransport(big, ["127.0.0.1"], max_bytes=1024)
    async with httpx.AsyncClient(transport=guarded) as http:
        with pytest.raises(httpx.ReadError, match="larger than 1024 bytes once decompressed"):
            await http.get("http://127.0.0.1:1/big")


def test_the_default_trust_store_is_loaded_once() -> None:
    assert transport._verify(True) is transport._verify(True)
    assert transport._verify(False) is False
