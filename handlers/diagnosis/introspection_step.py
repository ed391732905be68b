"""The `introspection` step of `diagnose`: the issuer's own verdict on the token.

Asked where the token came from first: AUTHCHECK_INTROSPECT_URL when set, else the issuer's
introspection endpoint found by discovery (RFC 8414 / OIDC), else Hydra's admin port (the Kyma
default). The bot's credentials go only where they belong (their destinations).
"""

from __future__ import annotations

from handlers.core.check import CheckContext
from handlers.core.observation import Unknown
from handlers.diagnosis.facts import CHECK, OK, Facts, token_issuer
from handlers.net import guard as targets
from handlers.oauth import credentials, discovery
from handlers.oauth.destinations import Credentials
from handlers.oauth.introspection import Introspection, introspect_hydra_admin, introspect_url
from handlers.oauth.introspection_target import Target, bound_for


async def _issuer_endpoint(ctx: CheckContext, facts: Facts) -> tuple[str, str] | None:
    """The introspection endpoint of the issuer the token came from: AUTHCHECK_ISSUER when the
    token is its (or names no issuer), else the token's `iss` if the allowlist lets the bot
    reach it; found by discovery (RFC 8414 / OIDC). None → the Kyma default (Hydra's admin)."""
    configured = ctx.settings.issuer
    iss = token_issuer(facts)
    if configured and (iss is None or discovery.same_issuer(iss, configured)):
        issuer = configured
    elif iss is not None and not await targets.refusal(iss, ctx.settings.url_allowlist):
        issuer = iss
    else:
        return None
    found = await discovery.discover(ctx, issuer)
    meta = found.metadata
    if meta is None or not meta.introspection_endpoint:
        return None
    return meta.introspection_endpoint, issuer


async def _call(
    ctx: CheckContext, facts: Facts, token: str, creds: Credentials | None
) -> Introspection:
    """Where the token came from first: the issuer's own introspection endpoint."""
    settings = ctx.settings
    if settings.introspect_url:
        result = await introspect_url(ctx, settings.introspect_url, token, creds)
        facts.introspected_as = creds.client_id if creds is not None else None
        return result
    found = await _issuer_endpoint(ctx, facts)
    if found is None:
        return await introspect_hydra_admin(ctx, settings.hydra_admin_url, token, creds)
    endpoint, issuer = found
    bound = bound_for(creds, Target(endpoint, "discovery", named_by_document_of=issuer))
    if bound is not None and bound.refusal(endpoint):
        bound = None  # never send the bot's credentials where they do not belong
    result = await introspect_url(ctx, endpoint, token, bound)
    facts.introspected_as = bound.client_id if bound is not None else None
    return result


async def introspect(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("introspection")
    if facts.token is None:
        step.summary, step.needs = "no token given", "give the token with --token"
        return
    lookup = await credentials.for_introspection(ctx, CHECK, None, None, None)
    if lookup.finding is not None:
        step.could_not_tell(Unknown(lookup.finding.title, lookup.finding.remedy))
        return
    result = await _call(ctx, facts, facts.token, lookup.credentials)
    final = result.final
    if final is None or not final.answered:
        step.could_not_tell(
            Unknown(
                "; ".join(c.summary() for c in result.calls),
                "point AUTHCHECK_INTROSPECT_URL or AUTHCHECK_HYDRA_ADMIN_URL at introspection",
            )
        )
        return
    facts.introspection = dict(final.body or {})
    facts.introspected_at = final.url
    step.state = OK
    step.summary = f"{final.url}: active={str(final.active).lower()}"
