"""The `apirule`, `jwks` and `signature` steps of `diagnose`: the rule serving the URL, the key
ids of the JWKS it names, our evaluation of the token against it, and the token's signature
checked with keys a trusted source names (the rule, or AUTHCHECK_ISSUER's discovery; never the
token's own `jku`/`x5u`). Reads through `handlers.kyma.reader`, as the `apirule` command does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.observation import Unknown
from handlers.diagnosis.facts import OK, SKIP, Facts, kube_failure, token_issuer
from handlers.kyma import apirule as apirules
from handlers.kyma import routes
from handlers.kyma.apirule import ApiRule, TokenFacts
from handlers.kyma.reader import fetch_kids, list_apirules
from handlers.oauth import discovery
from handlers.tokens import signatures


async def _rules(ctx: CheckContext, facts: Facts) -> list[ApiRule] | None:
    step = facts.step("apirule")
    try:
        found = await list_apirules(ctx)
    except kube.KubeError as exc:
        kube_failure(step, exc)
        return None
    if found is None:
        step.state, step.summary = SKIP, "the APIRule resource type is not served by this cluster"
    return found


async def _jwks(ctx: CheckContext, facts: Facts, rule: apirules.Rule) -> bool:
    """The key ids of the rule's JWKS and the rule's verdict; False when a JWKS was unreadable."""
    decoded = facts.decoded
    urls = rule.all_jwks_urls if decoded is not None else []
    kids: dict[str, frozenset[str]] = {}
    failed: list[tuple[str, str]] = []
    if urls:
        jwks = facts.step("jwks")
        kids, failed = await fetch_kids(ctx, urls)
        facts.jwks_kids = kids
        if failed:
            jwks.could_not_tell(
                Unknown(
                    "; ".join(reason for _, reason in failed),
                    "make the rule's JWKS URL reachable from the bot",
                )
            )
        else:
            jwks.state = OK
            jwks.summary = "; ".join(f"{u}: kids {', '.join(sorted(k))}" for u, k in kids.items())
    facts.verdict = apirules.evaluate(rule, TokenFacts(decoded, facts.now, kids))
    return not failed


async def apirule(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("apirule")
    found = await _rules(ctx, facts)
    if found is None:
        return
    parts = urlsplit(facts.url)
    facts.match = routes.find(found, parts.hostname or "", parts.path or "/", facts.method)
    step.state = OK
    if facts.match is None:
        step.summary = f"no APIRule among {len(found)} names the host `{parts.hostname}`"
        return
    a = facts.match.apirule
    rule = facts.match.rule
    step.summary = f"APIRule `{a.namespace}/{a.name}` ({a.version})" + (
        f", {rule.label()}" if rule else ", but none of its rules covers the path"
    )
    step.evidence = {"apirule": f"{a.namespace}/{a.name}", "version": a.version}
    if rule is None or facts.token is None:
        return
    read = await _jwks(ctx, facts, rule)
    decoded = facts.decoded
    own = apirules.trusted_jwks(rule, decoded.claims.get("iss") if decoded is not None else None)
    if own and read:
        await _verify_signature(ctx, facts, own, f"APIRule `{a.namespace}/{a.name}`")


async def _verify_signature(
    ctx: CheckContext, facts: Facts, urls: list[str], named_by: str
) -> None:
    """Checks the signature with keys a trusted source names (never the token's `jku`/`x5u`)."""
    if facts.token is None or facts.decoded is None:
        return
    step = facts.step("signature")
    outcome = await signatures.check(ctx, facts.token, urls)
    if isinstance(outcome, Unknown):
        step.could_not_tell(
            Unknown(outcome.reason, f"make the JWKS {named_by} names reachable from the bot")
        )
        return
    if outcome is None:
        step.summary = "no usable key to check the signature with"
        return
    facts.signature = outcome
    step.state = OK
    step.summary = f"keys named by {named_by}: {outcome.reason}"


async def issuer_signature(ctx: CheckContext, facts: Facts) -> None:
    """AUTHCHECK_ISSUER's discovery names its JWKS: trusted for tokens that are that issuer's."""
    configured = ctx.settings.issuer
    iss = token_issuer(facts)
    step = facts.step("signature")
    if not step.summary:
        step.summary = (
            "no token given"
            if facts.token is None
            else "no trusted JWKS (an APIRule's `jwksUri`, or AUTHCHECK_ISSUER for its tokens)"
        )
    if not configured or iss is None or not discovery.same_issuer(iss, configured):
        return
    found = await discovery.discover(ctx, configured)
    meta = found.metadata
    if meta is None or not meta.jwks_uri:
        return
    if facts.signature is None:
        await _verify_signature(ctx, facts, [meta.jwks_uri], "AUTHCHECK_ISSUER's discovery")
