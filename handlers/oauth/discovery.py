"""Finding an authorization server's endpoints (RFC 8414, OpenID Connect Discovery 1.0).

Two documents exist: OIDC's `/.well-known/openid-configuration` appended to the issuer, and RFC
8414's `/.well-known/oauth-authorization-server` inserted between host and path. Either may be
missing, and Hydra's OIDC document does not list an introspection endpoint at all (it lives on
the admin port), so callers must be told which fields were absent, not only whether it worked.

Hydra's admin introspection moved between major versions: v2 serves `/admin/oauth2/introspect`,
v1 served `/oauth2/introspect`. `hydra_introspection_paths` gives both, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from handlers.core.check import CheckContext
from handlers.core.observation import Unknown
from handlers.net.answers import json_object
from handlers.net.send import send

OIDC_SUFFIX = "/.well-known/openid-configuration"
RFC8414_SUFFIX = "/.well-known/oauth-authorization-server"

HYDRA_V2_INTROSPECT = "/admin/oauth2/introspect"
HYDRA_V1_INTROSPECT = "/oauth2/introspect"


@dataclass(frozen=True)
class Metadata:
    """The fields of a discovery document the checks use; `url` is where it was read."""

    url: str
    issuer: str | None
    token_endpoint: str | None
    introspection_endpoint: str | None
    revocation_endpoint: str | None
    jwks_uri: str | None
    token_auth_methods: tuple[str, ...] = ()
    introspection_auth_methods: tuple[str, ...] = ()
    grant_types: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()


@dataclass
class Discovery:
    """Outcome of discovery: the document, and every URL tried with what it answered."""

    metadata: Metadata | None
    tried: list[str] = field(default_factory=list)
    #: True when at least one URL answered over HTTP (the server is up, the document is not).
    answered: bool = False

    def tried_text(self) -> str:
        return "; ".join(self.tried)


def candidate_urls(issuer: str) -> list[str]:
    """Discovery URLs for an issuer (or a URL that already is a discovery document)."""
    issuer = issuer.strip()
    if "/.well-known/" in issuer:
        return [issuer]
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    oidc = urlunsplit((parts.scheme, parts.netloc, path + OIDC_SUFFIX, "", ""))
    rfc8414 = urlunsplit((parts.scheme, parts.netloc, RFC8414_SUFFIX + path, "", ""))
    return [oidc] if oidc == rfc8414 else [oidc, rfc8414]


def _str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _strs(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def parse_metadata(url: str, data: dict[str, Any]) -> Metadata:
    return Metadata(
        url=url,
        issuer=_str(data, "issuer"),
        token_endpoint=_str(data, "token_endpoint"),
        introspection_endpoint=_str(data, "introspection_endpoint"),
        revocation_endpoint=_str(data, "revocation_endpoint"),
        jwks_uri=_str(data, "jwks_uri"),
        token_auth_methods=_strs(data, "token_endpoint_auth_methods_supported"),
        introspection_auth_methods=_strs(data, "introspection_endpoint_auth_methods_supported"),
        grant_types=_strs(data, "grant_types_supported"),
        scopes=_strs(data, "scopes_supported"),
    )


async def discover(ctx: CheckContext, issuer: str) -> Discovery:
    """Reads the first discovery document that answers with JSON; at most two requests."""
    result = Discovery(metadata=None)
    for url in candidate_urls(issuer):
        seen = await send(ctx, "GET", url, headers={"Accept": "application/json"})
        if isinstance(seen, Unknown):
            result.tried.append(seen.reason)
            # The host is not reachable: the second URL on the same host would fail the same way.
            break
        answer = seen.value
        result.answered = True
        data = json_object(answer.body) if answer.status == 200 else None
        if data is None:
            what = "not JSON" if answer.status == 200 else f"HTTP {answer.status}"
            result.tried.append(f"GET {url} → {what}")
            continue
        result.tried.append(f"GET {url} → 200")
        result.metadata = parse_metadata(url, data)
        break
    return result


def hydra_introspection_paths(admin_url: str) -> list[tuple[str, str]]:
    """(version, URL) for Hydra's admin introspection endpoint, v2 first, then v1."""
    base = admin_url.rstrip("/")
    return [("v2", base + HYDRA_V2_INTROSPECT), ("v1", base + HYDRA_V1_INTROSPECT)]


def same_issuer(a: str | None, b: str | None) -> bool:
    """Issuers compared the way people mean it: Hydra's `iss` ends with `/`, configs often don't.

    The checks still point out the slash separately, since Istio compares issuers exactly.
    """
    if not a or not b:
        return False
    return a.rstrip("/") == b.rstrip("/")
