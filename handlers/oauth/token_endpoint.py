"""Where a token request goes: the token URL given, or the one discovery names, and whether the
client's credentials may be sent there.

A typed issuer is resolved through discovery; a discovery document read from a URL the bot does
not trust may not point the bot at its own endpoints or at a refused address, and credentials
only go where they belong (`destinations`).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from handlers.core.check import CheckContext
from handlers.core.model import Finding, Severity
from handlers.net import guard as targets
from handlers.oauth import discovery
from handlers.oauth.destinations import Credentials
from handlers.oauth.token_verdicts import refusal


def looks_like_token_url(url: str) -> bool:
    """A path ending in `token` is taken as the endpoint itself; anything else as an issuer."""
    return urlsplit(url).path.rstrip("/").endswith("token")


async def token_url(ctx: CheckContext, check: str, given: str) -> tuple[str | None, list[Finding]]:
    """The token endpoint for `given` (None when discovery cannot name one), with a finding
    saying where it came from."""
    if looks_like_token_url(given):
        return given, []
    found = await discovery.discover(ctx, given)
    meta = found.metadata
    if meta is None or not meta.token_endpoint:
        return None, [
            Finding(
                check,
                Severity.ERROR,
                f"Could not find the token endpoint of {given}",
                "Tried: "
                + found.tried_text()
                + ("" if meta is None else "; the document has no `token_endpoint`"),
                "Give the token URL itself (Hydra: <public>/oauth2/token, UAA/XSUAA: "
                "<url>/oauth/token).",
                {"issuer": given},
            )
        ]
    return meta.token_endpoint, [
        Finding(
            check,
            Severity.INFO,
            f"Token endpoint from discovery: {meta.token_endpoint}",
            f"Read from {meta.url}. Client authentication methods it lists: "
            f"{', '.join(meta.token_auth_methods) or 'none'}.",
            "",
            {"token_endpoint": meta.token_endpoint, "auth_methods": list(meta.token_auth_methods)},
        )
    ]


async def destination(
    ctx: CheckContext, check: str, creds: Credentials, given: str, url: str
) -> tuple[Credentials, Finding | None]:
    """May `creds` go to `url`? A discovery document read from a URL the bot trusts (its
    configuration, or where the credentials belong) may name the endpoint; one read from any other
    typed URL may not point the bot at its own endpoints or at a refused address."""
    trusted_document = targets.origin(given) in targets.configured_origins(ctx.settings) or (
        creds.destinations is not None and creds.destinations.permits(given)
    )
    if url != given:
        if trusted_document and creds.destinations is not None:
            creds = replace(creds, destinations=creds.destinations.including(url))
        elif not trusted_document:
            reason = await targets.discovered_refusal(url, ctx.settings, ctx.resolver)
            if reason:
                return creds, refusal(check, f"Refused to call {url}", reason, {"token_url": url})
    reason = creds.refusal(url)
    if reason:
        title = f"Refused to send the client credentials to {url}"
        return creds, refusal(check, title, reason, {})
    return creds, None
