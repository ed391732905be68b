"""Causes about the APIRule the URL is served by: its issuer, its JWKS, the scopes and
audiences it requires, where it reads the token, Oathkeeper's introspection URL."""

from __future__ import annotations

from handlers.diagnosis.causes.base import ISSUER_UNKNOWN, KID_UNKNOWN, RBAC, Hit
from handlers.diagnosis.causes.readers import (
    answer_line,
    gate_said,
    is_failing,
    plural,
    refusal_reasons,
    rule_line,
    ticks,
    token_audiences,
    token_scopes,
)
from handlers.diagnosis.facts import Facts
from handlers.kyma.apirule import ISTIO, OATHKEEPER


def issuer_mismatch(facts: Facts) -> Hit | None:
    reasons = refusal_reasons(facts, "issuer ", prefix=True)
    gate = gate_said(facts, ISSUER_UNKNOWN)
    if not reasons and not gate:
        return None
    evidence = list(reasons)
    if gate:
        evidence.append(f"The gateway says `{ISSUER_UNKNOWN}`.")
    trailing = any("trailing slash" in r for r in reasons)
    score = 0.9 if reasons and gate else (0.85 if reasons else 0.7)
    iss = facts.decoded.claims.get("iss") if facts.decoded is not None else None
    title = None
    if trailing:
        title = "The token's issuer differs from the APIRule's issuer only by a trailing slash"
    remedy = (
        f"Set the rule's issuer to exactly `{iss}` (Hydra's `iss` ends with `/`)." if iss else None
    )
    return Hit(
        score, evidence, {"iss": iss, "trailing_slash": trailing}, title=title, remedy=remedy
    )


def kid_not_in_jwks(facts: Facts) -> Hit | None:
    reasons = refusal_reasons(facts, "`kid`")
    gate = gate_said(facts, KID_UNKNOWN)
    if not reasons and not gate:
        return None
    d = facts.decoded
    kid = d.header.get("kid") if d is not None else None
    evidence = list(reasons)
    if gate:
        evidence.append(f"The gateway says `{KID_UNKNOWN}`.")
    if reasons:
        return Hit(0.9 if gate else 0.85, evidence, {"kid": kid})
    live = [u for u, kids in facts.jwks_kids.items() if kid in kids]
    if live:
        evidence.append(f"The issuer's JWKS ({', '.join(live)}) does have `kid` `{kid}` now.")
        return Hit(
            0.85,
            evidence,
            {"kid": kid, "stale_cache": True},
            title="The gateway still caches the JWKS from before a key rotation",
            remedy="Istio caches JWKS for about 20 min: wait, or restart istiod to refetch it; "
            "tokens signed with the new key then pass.",
        )
    return Hit(0.75, evidence, {"kid": kid})


def _barred_scopes(facts: Facts, missing: list[str]) -> tuple[str, str] | None:
    """The missing scopes the token's client may not even request: (evidence, remedy)."""
    allowed = facts.client.allowed_scopes
    barred = [s for s in missing if s not in allowed] if allowed is not None else []
    if allowed is None or not barred:
        return None
    return (
        f"Client `{facts.client.client_id}` may not even request {ticks(barred)}: "
        f"it is allowed {' '.join(allowed) or 'no scopes'}.",
        f"Add {ticks(barred)} to the client's allowed scopes (OAuth2Client "
        "`spec.scope`/`scopeArray`), then request the token with that scope.",
    )


def scope_missing(facts: Facts) -> Hit | None:
    if not is_failing(facts):
        return None
    rule = facts.rule
    have = token_scopes(facts)
    missing: list[str] = []
    evidence: list[str] = []
    score = 0.0
    reasons = refusal_reasons(facts, "missing scope")
    if rule is not None and have is not None:
        missing = [s for s in rule.all_scopes if s not in have]
    if reasons and missing:
        evidence.append(f"{rule_line(facts)} requires scope{plural(missing)} {ticks(missing)}.")
        score = 0.8
        v = facts.verdict
        if v is not None and facts.authed is not None and facts.authed.status == v.status:
            score = 0.9
    elif missing and rule is not None and rule.strategy == "oauth2_introspection":
        evidence.append(f"{rule_line(facts)} requires scope{plural(missing)} {ticks(missing)}.")
        score = 0.85
    who = facts.authed_who
    if who is not None and who.cause == "scope_missing":
        evidence.append(f"{who.name} says so: `{who.message}`.")
        score = max(score, 0.85)
    if who is not None and who.code == "insufficient_scope":
        wanted = (who.challenge.params.get("scope") if who.challenge else None) or ""
        missing = missing or [s for s in wanted.split() if have is None or s not in have]
        evidence.append("The server answers `insufficient_scope` (RFC 6750).")
        score = max(score, 0.85)
    if not score:
        return None
    evidence.append(f"The token's scopes: {' '.join(have or []) or 'none'}.")
    line = answer_line(facts, True)
    if line:
        evidence.append(line)
    gatekeeper = rule.gatekeeper if rule else None
    how = {
        OATHKEEPER: " (Oathkeeper answers 401: with its default scope strategy Hydra calls the "
        "token inactive)",
        ISTIO: f" (Istio answers 403 `{RBAC}`)",
    }.get(gatekeeper or "", "")
    remedy = f"Request the token with `scope={' '.join(missing)}` (`--scope` in the token call)."
    barred = _barred_scopes(facts, missing)
    if barred is not None:
        evidence.append(barred[0])
        remedy = barred[1]
    return Hit(
        score,
        evidence,
        {"missing": missing, "gatekeeper": gatekeeper},
        title=f"The token lacks the scope{plural(missing)} {ticks(missing)} the rule requires{how}",
        remedy=remedy,
    )


def _missing_audiences(facts: Facts) -> list[str]:
    rule = facts.rule
    have = token_audiences(facts)
    if rule is None or have is None or not is_failing(facts):
        return []
    if not refusal_reasons(facts, "missing audience"):
        return []
    return [a for a in rule.all_audiences if a not in have]


def audience_not_whitelisted(facts: Facts) -> Hit | None:
    missing = _missing_audiences(facts)
    allowed = facts.client.allowed_audiences
    if not missing or allowed is None:
        return None
    barred = [a for a in missing if a not in allowed]
    if not barred:
        return None
    return Hit(
        0.92,
        [
            f"{rule_line(facts)} requires audience{plural(missing)} {ticks(missing)}; the "
            f"token has {ticks(token_audiences(facts) or []) or 'none'}.",
            f"Client `{facts.client.client_id}` is allowed audiences "
            f"{ticks(allowed) or 'none'}: asking Hydra for {ticks(barred)} is refused "
            "(400 invalid_request).",
        ],
        {"missing": barred, "client_id": facts.client.client_id},
        remedy=f"Add {ticks(barred)} to the OAuth2Client's `spec.audience` (Hydra's audience "
        f"whitelist), let hydra-maester apply it, then request the token with "
        f"`audience={' '.join(barred)}`.",
    )


def audience_missing(facts: Facts) -> Hit | None:
    missing = _missing_audiences(facts)
    if not missing:
        return None
    allowed = facts.client.allowed_audiences
    if allowed is not None and any(a not in allowed for a in missing):
        return None  # audience_not_whitelisted says it better
    evidence = [
        f"{rule_line(facts)} requires audience{plural(missing)} {ticks(missing)}; the token "
        f"has {ticks(token_audiences(facts) or []) or 'none'}."
    ]
    if allowed is not None:
        evidence.append(f"Client `{facts.client.client_id}` is allowed to request them.")
    return Hit(0.85 if allowed is not None else 0.8, evidence, {"missing": missing})


def token_wrong_place(facts: Facts) -> Hit | None:
    reasons = refusal_reasons(facts, "counts as no token")
    if not reasons:
        return None
    return Hit(0.9, reasons)


def introspection_url_wrong(facts: Facts) -> Hit | None:
    who, answer = facts.authed_who, facts.authed
    if who is None or answer is None or who.name != "Ory Oathkeeper" or answer.status < 500:
        return None
    return Hit(0.85, [f"Oathkeeper answers HTTP {answer.status}: {who.message or who.meaning}"])
