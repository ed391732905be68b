"""Which URLs the bot may call on behalf of a chat user, and the transport that enforces it.

A chat bot that fetches any URL on request is a server-side request forgery waiting to happen,
and this one runs inside a cluster with read access to Secrets. Refused unless
AUTHCHECK_URL_ALLOWLIST names the host or a CIDR range containing the address:

- loopback, link-local (cloud metadata at 169.254.169.254), unspecified (`0.0.0.0`, `::`),
  multicast, and the metadata addresses that are not link-local (AWS's `fd00:ec2::254`, ECS's
  task endpoint, Alibaba's `100.100.100.200`);
- the Kubernetes API: `kubernetes.default.svc` and friends, and the address in
  KUBERNETES_SERVICE_HOST;
- all of these however spelled: IPv4-mapped IPv6 (`::ffff:127.0.0.1`), decimal, octal and hex
  IPv4 (`2130706433`, `0177.0.0.1`, `0x7f.1`), and names whose DNS answers point at them.

`GuardedTransport` applies the rule to every request, every redirect hop included, and pins the
connection to the address it checked (the Host header and TLS server name keep the name), so a
DNS answer that changes between the check and the connect (rebinding) cannot switch the target.
Endpoints from the bot's own configuration are trusted: their origins pass unchecked.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx

#: Host names that mean the metadata service on the big clouds even without resolving.
_METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"}

#: The in-cluster names of the Kubernetes API service.
_KUBE_HOSTS = {
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Metadata endpoints outside the link-local range.
_METADATA_ADDRESSES: dict[IPAddress, str] = {
    ipaddress.ip_address("fd00:ec2::254"): "the AWS metadata service (IPv6)",
    ipaddress.ip_address("fd00:ec2::23"): "the AWS time/metadata service (IPv6)",
    ipaddress.ip_address("100.100.100.200"): "the Alibaba Cloud metadata service",
    ipaddress.ip_address("169.254.170.2"): "the ECS task metadata service",
}

#: `(host, port)` → addresses; injectable so tests can play a DNS server that lies.
Resolver = Callable[[str, int], Awaitable[list[str]]]

_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")

_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)


class Refused(httpx.TransportError):
    """Raised by GuardedTransport instead of connecting; the message is the one-line reason."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%")[0] for info in infos]


def url_problem(url: str) -> str | None:
    """A one-line reason why `url` is not an http(s) URL we can call, or None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "it is not a URL"
    if parts.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    if not parts.hostname:
        return "it has no host"
    try:
        _ = parts.port
    except ValueError:
        return "its port is not a number between 0 and 65535"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP literal means, in any spelling C's resolver accepts
    (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`), or None for a name."""
    host = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv6 one (mapped, compatible, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    packed = address.packed
    if packed[:12] == bytes(12) and packed[12:] not in (bytes(4), b"\x00\x00\x00\x01"):
        return ipaddress.IPv4Address(packed[12:])  # ::a.b.c.d, deprecated IPv4-compatible
    if address in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(packed[12:])
    return None


def _kube_service_addresses() -> set[IPAddress]:
    found: set[IPAddress] = set()
    for name in ("KUBERNETES_SERVICE_HOST",):
        value = os.environ.get(name, "").strip()
        address = literal_address(value) if value else None
        if address is not None:
            found.add(address)
    return found


def forbidden(address: IPAddress) -> str | None:
    """Why a user-typed URL may not reach `address`, or None."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        reason = forbidden(inner)
        return f"{reason} (written as IPv6 {address})" if reason else None
    if address in _METADATA_ADDRESSES:
        return _METADATA_ADDRESSES[address]
    if address in _kube_service_addresses():
        return "the Kubernetes API service (KUBERNETES_SERVICE_HOST)"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_unspecified or address in _THIS_NETWORK:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local IPv6 address"
    return None


def _allowed(host: str, address: IPAddress | None, allowlist: Iterable[str]) -> bool:
    for entry in allowlist:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == host.lower():
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(entry.strip("[]"), strict=False):
                    return True
            except ValueError:
                continue
    return False


def _host_reason(host: str) -> str | None:
    name = host.lower().rstrip(".")
    if name in _METADATA_HOSTS:
        return f"`{host}` is a cloud metadata service"
    if name in _KUBE_HOSTS or name.startswith("kubernetes.default."):
        return f"`{host}` is the Kubernetes API service"
    return None


async def vet(
    host: str,
    port: int,
    allowlist: Iterable[str],
    resolver: Resolver | None = None,
) -> tuple[list[IPAddress], str | None]:
    """The addresses `host` may be reached at, or the reason it may not be.

    Every address a name resolves to must be acceptable: a name with one good and one bad
    answer is refused, since the connect could pick either. An empty list with no reason means
    the name did not resolve; the caller reports that as a DNS failure.
    """
    allowlist = list(allowlist)
    host = host.strip("[]")
    reason = _host_reason(host)
    if reason and not _allowed(host, None, allowlist):
        return [], reason
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            raw = await (resolver or system_resolver)(host, port)
        except (OSError, UnicodeError):
            return [], None
        addresses = []
        for item in raw:
            parsed = literal_address(item)
            if parsed is not None and parsed not in addresses:
                addresses.append(parsed)
    for address in addresses:
        why = forbidden(address)
        if why and not _allowed(host, address, allowlist):
            shown = host if literal is not None and str(literal) == host else f"{host} ({address})"
            return [], f"{shown} is {why}"
    return addresses, None


async def refusal(
    url: str, allowlist: Iterable[str], resolver: Resolver | None = None
) -> str | None:
    """Why the bot refuses to call this user-typed URL, or None when it may.

    A name that does not resolve is let through here: the request itself reports the DNS
    failure. The transport checks again at connect time, so this is the early, friendly answer,
    not the only line of defence.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 80
    _, reason = await vet(host, port, allowlist, resolver)
    return reason


def allowlist_remedy(url: str) -> str:
    host = urlsplit(url.strip()).hostname or "<host>"
    return (
        f"If calling {host} from the bot is intended, add `{host}` (or its CIDR range) to "
        "AUTHCHECK_URL_ALLOWLIST."
    )


def origin(url: str | httpx.URL) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in, or None if it is not a URL."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError):
        return None
    if not parsed.host:
        return None
    scheme = parsed.scheme.lower()
    port = parsed.port or (443 if scheme == "https" else 80)
    return scheme, parsed.host.lower(), port


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
            response.stream = _Bounded(stream, self.max_bytes, deadline)
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
    """The transport `CheckContext.http()` uses: configured endpoints trusted, the rest vetted."""
    trusted = [
        getattr(settings, name, None)
        for name in ("hydra_admin_url", "hydra_public_url", "issuer", "introspect_url")
    ]
    timeout = float(getattr(settings, "timeout", 5.0))
    return GuardedTransport(
        inner or httpx.AsyncHTTPTransport(verify=_verify(verify)),
        getattr(settings, "url_allowlist", []) or [],
        trusted,
        resolver,
        max_seconds=timeout * 2,
    )
