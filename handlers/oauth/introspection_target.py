"""Where introspection is sent, why there, and whether the bot may call it with its client.

The endpoint comes from --url, --issuer (discovery), AUTHCHECK_INTROSPECT_URL, AUTHCHECK_ISSUER or
Hydra's admin API, in that order; Ory Hydra never lists introspection in discovery, so a document
without `introspection_endpoint` falls back to the admin port. A typed URL passes the SSRF guard,
and the bot's own credentials only go where they belong.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from handlers.core.check import CheckContext
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.net import guard as targets
from handlers.oauth import discovery
from handlers.oauth.discovery import Discovery
from handlers.oauth.introspection import Credentials

if TYPE_CHECKING:
    from handlers.core.settings import Settings


@dataclass(frozen=True)
class Target:
    """Where introspection is sent and why; `hydra_admin` means try v2 then v1 paths."""

    url: str
    source: str
    hydra_admin: bool = False
    user_typed: bool = False
    expected_issuer: str | None = None
    #: The issuer whose discovery document named `url` (None when nobody's document did).
    named_by_document_of: str | None = None


def _hydra_admin(settings: Settings, expected_issuer: str | None = None) -> Target:
    return Target(
        settings.hydra_admin_url,
        "AUTHCHECK_HYDRA_ADMIN_URL",
        hydra_admin=True,
        expected_issuer=expected_issuer,
    )


def _from_document(
    settings: Settings, out: FindingBuilder, issuer: str, typed: bool, found: Discovery
) -> tuple[Target | None, list[Finding]]:
    """The target a discovery answer names (or Hydra's admin port when it names none)."""
    meta = found.metadata
    if meta is None and not typed:
        note = out(
            Severity.INFO,
            f"Discovery at AUTHCHECK_ISSUER ({issuer}) did not answer",
            "Tried: " + found.tried_text() + f". Trying AUTHCHECK_HYDRA_ADMIN_URL "
            f"({settings.hydra_admin_url}).",
            "Set AUTHCHECK_INTROSPECT_URL to skip discovery.",
        )
        return _hydra_admin(settings, issuer), [note]
    if meta is None:
        return None, [
            out(
                Severity.ERROR,
                f"Could not read the discovery document of {issuer}",
                "Tried: " + found.tried_text(),
                "Check the issuer URL (it is the `iss` of the tokens, without "
                "/.well-known/…), or give the introspection endpoint with --url.",
                issuer=issuer,
            )
        ]
    expected = meta.issuer or issuer
    if meta.introspection_endpoint:
        source = "--issuer" if typed else "AUTHCHECK_ISSUER"
        return Target(
            meta.introspection_endpoint,
            f"discovery of {issuer} ({source})",
            user_typed=typed,
            expected_issuer=expected,
            named_by_document_of=issuer,
        ), []
    note = out(
        Severity.INFO,
        "Discovery does not list an introspection endpoint",
        f"{meta.url} has no `introspection_endpoint`. Ory Hydra never lists it: "
        "introspection is on its admin port. Trying AUTHCHECK_HYDRA_ADMIN_URL "
        f"({settings.hydra_admin_url}).",
        "If this server is not Hydra, pass the endpoint with --url.",
        discovery=meta.url,
    )
    return _hydra_admin(settings, expected), [note]


async def resolve_target(
    ctx: CheckContext, out: FindingBuilder, url: str | None, issuer_arg: str | None
) -> tuple[Target | None, list[Finding]]:
    """The introspection URL: --url, --issuer, AUTHCHECK_INTROSPECT_URL, AUTHCHECK_ISSUER,
    then Hydra's admin API (AUTHCHECK_HYDRA_ADMIN_URL)."""
    settings = ctx.settings
    if url:
        return Target(url, "--url", user_typed=True, expected_issuer=issuer_arg), []
    issuer = issuer_arg or (None if settings.introspect_url else settings.issuer)
    if issuer:
        if issuer_arg:
            refused = await targets.refusal(issuer, settings.url_allowlist)
            if refused:
                return None, [refused_finding(out, issuer, refused)]
        found = await discovery.discover(ctx, issuer)
        return _from_document(settings, out, issuer, bool(issuer_arg), found)
    if settings.introspect_url:
        return Target(settings.introspect_url, "AUTHCHECK_INTROSPECT_URL"), []
    return _hydra_admin(settings), []


async def typed_target_refusal(ctx: CheckContext, target: Target) -> str | None:
    """Why a target the user typed (or that a typed issuer's document named) may not be
    called; None when it may, or when the target is the bot's own configuration."""
    if not target.user_typed:
        return None
    document = target.named_by_document_of
    if document and targets.origin(document) in targets.configured_origins(ctx.settings):
        return None  # the configured issuer, typed: its document is configuration
    if document:
        return await targets.discovered_refusal(target.url, ctx.settings, ctx.resolver)
    return await targets.refusal(target.url, ctx.settings.url_allowlist)


def bound_for(creds: Credentials | None, target: Target) -> Credentials | None:
    """A discovery document read from one of the credentials' own destinations (the configured
    issuer) may name the introspection endpoint on another host: that endpoint is trusted too."""
    document = target.named_by_document_of
    if creds is None or creds.destinations is None or document is None:
        return creds
    if not creds.destinations.permits(document):
        return creds
    return replace(creds, destinations=creds.destinations.including(target.url))


def credential_refused(out: FindingBuilder, target: Target, reason: str) -> Finding:
    """Nothing was sent: the bot's credentials do not belong at that endpoint."""
    return out(
        Severity.ERROR,
        f"Refused to send authcheck's credentials to {target.url}",
        f"{reason} The introspection URL came from {target.source}.",
        "Introspect at the endpoint those credentials belong to (leave out --url/--issuer to "
        "use the bot's configuration), or pass the client for this server yourself with "
        "--client-id/--client-secret.",
        url=target.url,
    )


def refused_finding(out: FindingBuilder, url: str, reason: str) -> Finding:
    """Nothing was sent: a typed URL the SSRF guard refuses (with the token's fingerprint)."""
    return targets.refused_finding(out.check, url, reason, {**out.evidence, "url": url})
