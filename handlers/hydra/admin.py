"""A read-only client for Ory Hydra's admin API (port 4445), v1 and v2 paths.

Hydra v2 moved the client API from `/clients` to `/admin/clients`; Hydra v1 does not know the new
path. A lookup therefore tries v2 first and falls back to v1, and only Hydra's own not-found body
(`{"error":"Unable to locate the resource"}`) counts as "this client does not exist" — a router's
404 for an unknown path means "wrong API version", not "missing client". Listings follow the
`Link` header and stop on an empty page, because Hydra keeps sending `next` when there is nothing
left. Health endpoints have no `/admin` prefix in either version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin

from handlers.core.check import CheckContext
from handlers.core.observation import Observation, Unknown
from handlers.net.answers import json_object
from handlers.net.send import Answer, send

V2_CLIENTS = "/admin/clients"
V1_CLIENTS = "/clients"
#: Hydra's not-found body for a client that does not exist (both versions).
NOT_FOUND_ERROR = "Unable to locate the resource"
#: A safety limit: a listing that never ends must not hold a command forever.
MAX_PAGES = 50


def _base(ctx: CheckContext) -> str:
    return ctx.settings.hydra_admin_url.rstrip("/")


def is_not_found_body(answer: Answer) -> bool:
    """True when the 404 is Hydra saying the client is unknown, not a router's unknown path."""
    data = json_object(answer.body) or {}
    error = data.get("error")
    if isinstance(error, dict):  # some builds nest it: {"error": {"message": ...}}
        error = error.get("message") or error.get("status")
    return isinstance(error, str) and NOT_FOUND_ERROR.lower() in error.lower()


@dataclass
class Tried:
    """One request made, for evidence: the URL and what came back (status or transport error)."""

    url: str
    outcome: str

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "outcome": self.outcome}


@dataclass
class ClientLookup:
    """Outcome of looking one client up."""

    client: dict[str, Any] | None = None
    #: "v2" or "v1" when an API answered definitively (found, or Hydra's own not-found).
    api: str | None = None
    #: Set when no definitive answer came: the sentence describing what went wrong.
    error: str | None = None
    tried: list[Tried] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.client is not None

    @property
    def missing(self) -> bool:
        """Hydra said, in its own words, that the client does not exist."""
        return self.client is None and self.api is not None and self.error is None


def _outcome(seen: Observation[Answer]) -> str:
    return seen.reason if isinstance(seen, Unknown) else f"HTTP {seen.value.status}"


async def get_client(ctx: CheckContext, client_id: str) -> ClientLookup:
    """Looks the client up on the v2 path, then on the v1 path."""
    lookup = ClientLookup()
    safe_id = quote(client_id, safe="")
    transport_errors: list[str] = []
    for api, prefix in (("v2", V2_CLIENTS), ("v1", V1_CLIENTS)):
        url = f"{_base(ctx)}{prefix}/{safe_id}"
        seen = await send(ctx, "GET", url, headers={"Accept": "application/json"})
        lookup.tried.append(Tried(url, _outcome(seen)))
        if isinstance(seen, Unknown):
            transport_errors.append(seen.reason)
            # The same host will not answer the other path either.
            break
        answer = seen.value
        if answer.status == 200:
            data = json_object(answer.body)
            if data is not None and "client_id" in data:
                lookup.client, lookup.api = data, api
                return lookup
            continue
        if answer.status == 404 and is_not_found_body(answer):
            lookup.api = api
            return lookup
        # Any other status: wrong path for this version (404 page, 307 redirect), try the next.
    if transport_errors:
        lookup.error = transport_errors[0]
    else:
        tried = ", ".join(f"{t.url} → {t.outcome}" for t in lookup.tried)
        lookup.error = f"neither the v2 nor the v1 client path gave an answer Hydra would ({tried})"
    return lookup


@dataclass
class ClientListing:
    """All clients Hydra has, with how they were fetched."""

    clients: list[dict[str, Any]] = field(default_factory=list)
    api: str | None = None
    pages: int = 0
    truncated: bool = False
    error: str | None = None
    tried: list[Tried] = field(default_factory=list)


_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";]+)"?')


def next_link(link_header: str | None) -> str | None:
    """The `rel="next"` target of a `Link` header (RFC 8288), if any."""
    for target, rel in _LINK.findall(link_header or ""):
        if "next" in str(rel).split():
            return str(target)
    return None


async def list_clients(ctx: CheckContext, *, max_pages: int = MAX_PAGES) -> ClientListing:
    """Every client, following `Link: rel=next`; v2 paging first, then v1's limit/offset."""
    listing = ClientListing()
    base = _base(ctx)
    for api, first in (
        ("v2", f"{base}{V2_CLIENTS}?page_size=500"),
        ("v1", f"{base}{V1_CLIENTS}?limit=500&offset=0"),
    ):
        url: str | None = first
        collected: list[dict[str, Any]] = []
        pages = 0
        definitive = False
        while url and pages < max_pages:
            seen = await send(ctx, "GET", url, headers={"Accept": "application/json"})
            listing.tried.append(Tried(url, _outcome(seen)))
            if isinstance(seen, Unknown):
                listing.error = seen.reason
                return listing
            answer = seen.value
            if answer.status != 200:
                break
            try:
                page = json.loads(answer.body)
            except ValueError:
                break
            if not isinstance(page, list):
                break
            definitive = True
            pages += 1
            if not page:  # Hydra still sends `next` after the last page: stop here
                break
            collected.extend(c for c in page if isinstance(c, dict))
            target = next_link(answer.header("link"))
            url = urljoin(url, target) if target else None
        if definitive:
            listing.clients, listing.api, listing.pages = collected, api, pages
            listing.truncated = bool(url) and pages >= max_pages
            return listing
    tried = ", ".join(f"{t.url} → {t.outcome}" for t in listing.tried)
    listing.error = f"no client listing on the v2 or v1 path ({tried})"
    return listing


@dataclass
class Probe:
    """One health or version endpoint: the URL, and the answer or why none came."""

    url: str
    answer: Answer | None
    error: str | None

    @property
    def status(self) -> int | None:
        return self.answer.status if self.answer else None

    def json(self) -> dict[str, Any]:
        return (json_object(self.answer.body) or {}) if self.answer else {}


async def probe(ctx: CheckContext, path: str) -> Probe:
    """GET an unprefixed endpoint (`/health/alive`, `/health/ready`, `/version`)."""
    url = f"{_base(ctx)}{path}"
    seen = await send(ctx, "GET", url, headers={"Accept": "application/json"})
    if isinstance(seen, Unknown):
        return Probe(url, None, seen.reason)
    return Probe(url, seen.value, None)


def major_version(version: str | None) -> int | None:
    """2 for `v2.2.0`, 25 for `v25.4.0`, 1 for `v1.11.10`; None when unreadable."""
    match = re.match(r"v?(\d+)\.", (version or "").strip())
    return int(match.group(1)) if match else None


def clients_path_for(version: str | None) -> str | None:
    """The admin client path a Hydra of this version serves."""
    major = major_version(version)
    if major is None:
        return None
    return V1_CLIENTS if major < 2 else V2_CLIENTS


def token_url(ctx: CheckContext) -> str:
    """Where tokens are requested: the public port, not the admin one."""
    return urljoin(ctx.settings.hydra_public_url.rstrip("/") + "/", "oauth2/token")
