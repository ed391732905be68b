"""Where a credential may be sent: only to the endpoints its own trusted source names.

A chat user chooses the URL of every command, and the bot holds credentials of its own (its
introspection client, Kubernetes Secrets it can read, its environment). If the bot sent those to
the URL in the command, any workspace member could collect them with `--url https://evil…`. So
every credential carries `Destinations`, read from the same source as the credential:

- the bot's configuration (AUTHCHECK_INTROSPECT_URL, AUTHCHECK_ISSUER, AUTHCHECK_HYDRA_ADMIN_URL,
  AUTHCHECK_HYDRA_PUBLIC_URL) for its own introspection client, environment variables and
  OAuth2Client Secrets, whose Hydra is the configured one;
- an XSUAA binding Secret's own `url`, `certurl` and `uaadomain` (any https host under it);
- endpoints found by discovery only when the discovery document came from a destination itself.

Values a user typed (`--client-id/--client-secret`, the private form) have no `Destinations`:
they go where that user says. The check is made twice: by each command before it calls (a
finding that says where the credential belongs) and by the functions that put credentials on a
request (`CredentialRefused`), so a command that forgets cannot leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import httpx

Origin = tuple[str, str, int]


def origin(url: str) -> Origin | None:
    """(scheme, host, port) with the default port filled in, or None if it is not a URL."""
    try:
        parsed = httpx.URL(url.strip())
        host = parsed.host
    except Exception:  # httpx raises InvalidURL, and idna's errors for bad hosts
        return None
    if parsed.scheme not in ("http", "https") or not host:
        return None
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.scheme, host.lower().rstrip("."), port


def _shown(o: Origin) -> str:
    scheme, host, port = o
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + ("" if port == default else f":{port}")


class CredentialRefused(ValueError):
    """A request would have carried a credential to a URL its source does not name.

    The message names the credential's source and where it may go, never a value."""


@dataclass(frozen=True)
class Destinations:
    """The endpoints one credential may be sent to, and the source that names them."""

    #: Who names these endpoints: "the bot's configuration", "Secret apps/xsuaa (`url`)".
    named_by: str
    origins: frozenset[Origin] = frozenset()
    #: https hosts equal to or under these domains (an XSUAA binding's `uaadomain`).
    domains: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, named_by: str, urls: Iterable[str | None], domains: Iterable[str | None] = ()
    ) -> Destinations:
        found = {o for o in (origin(u) for u in urls if u) if o is not None}
        names = {d.strip().lower().strip(".") for d in domains if d and d.strip().strip(".")}
        return cls(named_by, frozenset(found), frozenset(names))

    def permits(self, url: str) -> bool:
        target = origin(url)
        if target is None:
            return False
        if target in self.origins:
            return True
        scheme, host, _ = target
        return scheme == "https" and any(
            host == domain or host.endswith("." + domain) for domain in self.domains
        )

    def including(self, url: str) -> Destinations:
        """These destinations plus `url`'s origin: for an endpoint a trusted document names."""
        extra = origin(url)
        if extra is None:
            return self
        return replace(self, origins=self.origins | {extra})

    def describe(self) -> str:
        places = sorted(_shown(o) for o in self.origins)
        places += [f"https://*.{d}" for d in sorted(self.domains)]
        return ", ".join(places) if places else "no endpoint at all"


@dataclass(frozen=True)
class Credentials:
    """A client id and secret, where they came from, and where they may be sent.

    `destinations` is None for values the user typed: they go where that user says."""

    client_id: str
    client_secret: str
    source: str
    destinations: Destinations | None = field(default=None, compare=False)

    def refusal(self, url: str) -> str | None:
        """Why these credentials may not be sent to `url`, or None when they may."""
        return refusal(self.destinations, f"the client credentials from {self.source}", url)

    def with_values(self, client_id: str, client_secret: str) -> Credentials:
        """Other values (a trimmed secret) from the same source, bound the same way."""
        return replace(self, client_id=client_id, client_secret=client_secret)


def refusal(destinations: Destinations | None, what: str, url: str) -> str | None:
    """The one-line refusal for sending `what` to `url`, or None when `destinations` allow it."""
    if destinations is None or destinations.permits(url):
        return None
    target = origin(url)
    where = _shown(target) if target else "that URL"
    return (
        f"authcheck does not send {what} to {where}: they belong to "
        f"{destinations.describe()} ({destinations.named_by}). Nothing was sent."
    )


def configured(settings: object) -> Destinations:
    """The bot's own configured endpoints: where its own and its cluster's credentials may go."""
    names = ("introspect_url", "issuer", "hydra_admin_url", "hydra_public_url")
    urls = [getattr(settings, name, None) for name in names]
    return Destinations.of(
        "the bot's configuration: AUTHCHECK_INTROSPECT_URL, AUTHCHECK_ISSUER, "
        "AUTHCHECK_HYDRA_ADMIN_URL, AUTHCHECK_HYDRA_PUBLIC_URL",
        [u if isinstance(u, str) else None for u in urls],
    )
