"""Which URLs typed by users the bot may call.

A chat bot that fetches any URL on request is a server-side request forgery waiting to happen:
loopback, link-local (cloud metadata at 169.254.169.254) and unspecified addresses are refused
unless AUTHCHECK_URL_ALLOWLIST names the host or a CIDR range containing it. Endpoints from the
bot's own configuration are trusted and never pass through here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

#: Host names that mean the metadata service on the big clouds even without resolving.
_METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


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


def _forbidden(address: IPAddress) -> str | None:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    return None


def _allowed(host: str, address: IPAddress | None, allowlist: list[str]) -> bool:
    for entry in allowlist:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == host.lower():
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False


async def refusal(url: str, allowlist: list[str]) -> str | None:
    """Why the bot refuses to call this user-typed URL, or None when it may.

    Names are resolved so that `localhost` or a name pointing at 169.254.169.254 is caught too;
    a name that does not resolve is let through, and the request itself reports the DNS failure.
    """
    host = (urlsplit(url.strip()).hostname or "").lower()
    if host in _METADATA_HOSTS and not _allowed(host, None, allowlist):
        return f"`{host}` is a cloud metadata service"
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    addresses: list[IPAddress] = []
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError):
            return None
        for info in infos:
            try:
                addresses.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
            except ValueError:
                continue
    for address in addresses:
        reason = _forbidden(address)
        if reason and not _allowed(host, address, allowlist):
            shown = host if literal is not None else f"{host} ({address})"
            return f"{shown} is {reason}"
    return None


def allowlist_remedy(url: str) -> str:
    host = urlsplit(url.strip()).hostname or "<host>"
    return (
        f"If calling {host} from the bot is intended, add `{host}` (or its CIDR range) to "
        "AUTHCHECK_URL_ALLOWLIST."
    )
