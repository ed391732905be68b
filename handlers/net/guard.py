"""Which URLs the bot may call on behalf of a chat user: the address vetting.

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

The functions here give the early, friendly answer to a typed URL (`refusal`, `method_refusal`,
`discovered_refusal`); `vet` is also what the transport (handlers/net/transport.py) applies to
every request and redirect hop at connect time. Endpoints from the bot's own configuration are
trusted: their origins (`configured_origins`) pass unchecked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx

from handlers.core.model import Finding, Severity

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
    try:
        _ = httpx.URL(url.strip()).host
    except Exception:  # idna.IDNAError and friends: not an httpx.InvalidURL
        return "its host is not a valid (internationalised) domain name"
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


#: Methods that only read; anything else through `probe`/`diagnose` may change what it reaches.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Names that only resolve inside a cluster (Kubernetes Services, GCE/AWS internal DNS).
_CLUSTER_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local", ".internal")

#: The settings that name the bot's own endpoints: trusted by the transport, never reachable
#: from a discovery document or by a writing method from chat.
CONFIGURED_ENDPOINTS = ("hydra_admin_url", "hydra_public_url", "issuer", "introspect_url")


def configured_origins(settings: Any) -> set[tuple[str, str, int]]:
    """The origins of the bot's own configured endpoints (which the transport trusts)."""
    urls = (getattr(settings, name, None) for name in CONFIGURED_ENDPOINTS)
    return {o for o in (origin(u) for u in urls if isinstance(u, str) and u) if o is not None}


async def discovered_refusal(
    url: str, settings: Any, resolver: Resolver | None = None
) -> str | None:
    """Why the bot refuses an endpoint named by a document it read from a user-typed URL.

    Such a document is the user's words, not the bot's configuration: it may not point the bot
    at one of its own trusted endpoints (the transport would let that through unchecked) nor at
    any address a typed URL may not reach."""
    if origin(url) in configured_origins(settings):
        return (
            f"{url} is one of authcheck's own configured endpoints, named by a discovery "
            "document from a URL typed in chat"
        )
    problem = url_problem(url)
    if problem:
        return f"the discovery document names `{url[:200]}`, and {problem}"
    return await refusal(url, getattr(settings, "url_allowlist", []) or [], resolver)


async def method_refusal(
    method: str, url: str, settings: Any, resolver: Resolver | None = None
) -> str | None:
    """Why `probe`/`diagnose` may not send `method` to this typed URL, or None.

    GET, HEAD and OPTIONS only read. Any other method could change what it reaches, and some
    in-cluster services take it without authentication (Hydra's admin API deletes a client on
    `DELETE /admin/clients/{id}`): so those never go to the bot's configured endpoints, to
    in-cluster names or to private, loopback or link-local addresses unless
    AUTHCHECK_URL_ALLOWLIST names them.
    """
    verb = method.upper()
    if verb in SAFE_METHODS:
        return None
    where = origin(url)
    if where is None:
        return None
    if where in configured_origins(settings):
        return (
            f"{verb} is refused to {url}: it is one of authcheck's own configured endpoints "
            "(Hydra's admin API takes writes without authentication)"
        )
    allowlist = list(getattr(settings, "url_allowlist", []) or [])
    host = where[1].strip("[]")
    in_cluster = "." not in host or host.endswith(_CLUSTER_SUFFIXES) or host in _KUBE_HOSTS
    if in_cluster and not _allowed(host, None, allowlist):
        return (
            f"{verb} is refused to {host}: an in-cluster name; only GET, HEAD and OPTIONS "
            "may reach in-cluster services"
        )
    literal = literal_address(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            raw = await (resolver or system_resolver)(host, where[2])
        except (OSError, UnicodeError):
            return None  # the request itself reports the DNS failure
        addresses = [a for a in (literal_address(r) for r in raw) if a is not None]
    for address in addresses:
        inner = _embedded_ipv4(address) or address
        internal = inner.is_private or inner.is_loopback or inner.is_link_local
        if (internal or forbidden(inner)) and not _allowed(host, address, allowlist):
            return (
                f"{verb} is refused to {host} ({address}): a private or internal address; only "
                "GET, HEAD and OPTIONS may reach in-cluster services"
            )
    return None


def allowlist_remedy(url: str) -> str:
    host = urlsplit(url.strip()).hostname or "<host>"
    return (
        f"If calling {host} from the bot is intended, add `{host}` (or its CIDR range) to "
        "AUTHCHECK_URL_ALLOWLIST."
    )


def refused_finding(
    check: str, url: str, reason: str, evidence: dict[str, Any] | None = None
) -> Finding:
    """The `error` for a typed URL the guard refuses: nothing was sent, and how to allow it."""
    return Finding(
        check,
        Severity.ERROR,
        f"Refused to call {url}",
        f"{reason}; URLs typed in chat may not reach such addresses.",
        allowlist_remedy(url),
        evidence or {},
    )


def origin(url: str | httpx.URL) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in, or None if it is not a URL."""
    try:
        parsed = httpx.URL(str(url))
        host = parsed.host
    except Exception:  # InvalidURL, TypeError, and idna's errors for a bad internationalised host
        return None
    if not host:
        return None
    scheme = parsed.scheme.lower()
    port = parsed.port or (443 if scheme == "https" else 80)
    return scheme, host.lower(), port
