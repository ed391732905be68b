"""Whether a token would pass an APIRule's rule, and what the caller sees if not.

A pure function of the rule, the decoded token, the JWKS key ids and the time, so `apirule` and
`diagnose` give the same verdict and tests need no server. Istio/Envoy says 401 for a bad token
and 403 `RBAC: access denied` for a good one lacking a scope or audience; Oathkeeper's `jwt` says
401 for every failure (DOMAIN.md's table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from handlers.kyma.model import (
    ENVOY_SKEW_S,
    EXTERNAL,
    ISTIO,
    NONE,
    OPEN_HANDLERS,
    Rule,
)
from handlers.tokens.reading import DecodedJwt


@dataclass(frozen=True)
class Verdict:
    """Would this token pass this rule; if not, what the caller sees and why.

    `passes` is None when it cannot be decided offline (introspection, external authorizer).
    """

    rule: Rule
    passes: bool | None
    status: int | None = None
    answer: str = ""  # what the gatekeeper says (body or message)
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TokenFacts:
    """What the evaluation knows about the token: decoded claims (None when opaque) and now."""

    decoded: DecodedJwt | None
    now: datetime
    #: Key ids per JWKS URL; a URL missing from the map was not fetched (reported elsewhere).
    jwks_kids: Mapping[str, frozenset[str]] = field(default_factory=dict)


def trusted_jwks(rule: Rule, iss: object) -> list[str]:
    """The JWKS URLs the rule trusts for a token of issuer `iss`: only those, so another
    issuer's token is `issuer_mismatch`, not a bad signature (and never the token's own `jku`)."""
    own = [a.jwks_uri for a in rule.authentications if a.jwks_uri and a.issuer == iss]
    if rule.jwks_urls and (not rule.issuers or iss in rule.issuers):
        own += list(rule.jwks_urls)
    return own


def issuer_mismatch(token_iss: str, expected: list[str]) -> str | None:
    """None when `iss` matches one exactly; otherwise why, naming a trailing-slash difference."""
    if token_iss in expected:
        return None
    for e in expected:
        if token_iss.rstrip("/") == e.rstrip("/"):
            return (
                f"issuer `{token_iss}` differs from the configured `{e}` only by a trailing "
                "slash; the match is exact (Hydra's `iss` ends with `/`)"
            )
    shown = ", ".join(f"`{e}`" for e in expected) or "none"
    return f"issuer `{token_iss or '(no iss claim)'}` is not among the configured issuers ({shown})"


def _time_problem(facts: TokenFacts, skew: int) -> str | None:
    assert facts.decoded is not None
    exp = facts.decoded.time("exp")
    nbf = facts.decoded.time("nbf")
    now = facts.now
    if exp is not None and (now - exp).total_seconds() > skew:
        return "expired"
    if nbf is not None and (nbf - now).total_seconds() > skew:
        return "not yet valid"
    return None


def _kid_problem(facts: TokenFacts, urls: list[str]) -> str | None:
    """A reason when the token's `kid` is in none of the fetched JWKS; None if fine or unknown."""
    assert facts.decoded is not None
    kid = facts.decoded.header.get("kid")
    known = [facts.jwks_kids[u] for u in urls if u in facts.jwks_kids]
    if not known or not isinstance(kid, str):
        return None
    if any(kid in kids for kids in known):
        return None
    return (
        f"`kid` `{kid}` is not in the JWKS ({', '.join(urls)}): keys rotated or the token comes "
        "from another issuer (Istio caches JWKS for about 20 min after a rotation)"
    )


def _missing(needed: tuple[str, ...] | list[str], have: list[str]) -> list[str]:
    return [n for n in needed if n not in have]


def _istio(rule: Rule, facts: TokenFacts) -> Verdict:
    denied = "RBAC: access denied"
    custom = [a for a in rule.authentications if a.custom_location]
    if custom and len(custom) == len(rule.authentications):
        where = "; ".join(a.location() for a in custom)
        return Verdict(
            rule,
            False,
            403,
            denied,
            (
                f"the rule reads the token from {where}, so a token sent as "
                "`Authorization: Bearer` counts as no token at all",
            ),
        )
    d = facts.decoded
    if d is None:
        return Verdict(
            rule,
            False,
            401,
            "Jwt is not in the form of Header.Payload.Signature",
            ("the rule is `jwt` but the token is not a JWT (opaque tokens need introspection)",),
        )
    iss = str(d.claims.get("iss", ""))
    reason = issuer_mismatch(iss, [a.issuer for a in rule.authentications])
    if reason:
        return Verdict(rule, False, 401, "Jwt issuer is not configured", (reason,))
    problem = _time_problem(facts, ENVOY_SKEW_S)
    if problem == "expired":
        return Verdict(rule, False, 401, "Jwt is expired", ("the token's `exp` has passed",))
    if problem:
        return Verdict(rule, False, 401, "Jwt not yet valid", ("the token's `nbf` is ahead",))
    urls = [a.jwks_uri for a in rule.authentications if a.issuer == iss and a.jwks_uri]
    kid = _kid_problem(facts, urls)
    if kid:
        return Verdict(
            rule, False, 401, "Jwks doesn't have key to match kid or alg from Jwt", (kid,)
        )
    if not rule.authorizations:
        return Verdict(rule, True, notes=("no authorizations: any valid token of the issuer",))
    why: list[str] = []
    for alt in rule.authorizations:
        lacks = _missing(alt.required_scopes, d.scopes)
        aud = _missing(alt.audiences, d.audiences)
        if not lacks and not aud:
            return Verdict(rule, True)
        parts = []
        if lacks:
            parts.append("missing scope " + ", ".join(f"`{s}`" for s in lacks))
        if aud:
            parts.append("missing audience " + ", ".join(f"`{a}`" for a in aud))
        why.append(" and ".join(parts))
    return Verdict(rule, False, 403, denied, tuple(why))


def _oathkeeper_jwt(rule: Rule, facts: TokenFacts, d: DecodedJwt | None) -> Verdict:
    """Oathkeeper's `jwt` authenticator: 401 for every failure, scopes included."""
    if d is None:
        return Verdict(rule, False, 401, "", ("the `jwt` handler needs a JWT; this is opaque",))
    reasons: list[str] = []
    if rule.trusted_issuers:
        r = issuer_mismatch(str(d.claims.get("iss", "")), list(rule.trusted_issuers))
        if r:
            reasons.append(r)
    problem = _time_problem(facts, 0)
    if problem:
        reasons.append(f"the token is {problem}")
    kid = _kid_problem(facts, list(rule.jwks_urls))
    if kid:
        reasons.append(kid)
    lacks = _missing(rule.required_scopes, d.scopes)
    if lacks:
        reasons.append("missing scope " + ", ".join(f"`{s}`" for s in lacks))
    aud = _missing(rule.target_audience, d.audiences)
    if aud:
        reasons.append("missing audience " + ", ".join(f"`{a}`" for a in aud))
    if reasons:
        return Verdict(
            rule,
            False,
            401,
            '{"error":{"code":401,"status":"Unauthorized"}}',
            tuple(reasons),
            ("Oathkeeper's jwt authenticator answers 401 for every failure, scopes included",),
        )
    return Verdict(rule, True, notes=("signature not verified here; `kid` is known",))


def _oathkeeper_introspection(rule: Rule, facts: TokenFacts, d: DecodedJwt | None) -> Verdict:
    """Oathkeeper's `oauth2_introspection`: 401 for inactive (a missing scope included), 403 for
    issuer or audience."""
    note = "whether Hydra still considers the token active needs `introspect`"
    if d is None:
        return Verdict(rule, None, notes=(note,))
    if _time_problem(facts, 0) == "expired":
        return Verdict(rule, False, 401, "", ("the token is expired: introspection says inactive",))
    lacks = _missing(rule.required_scopes, d.scopes)
    if lacks:
        return Verdict(
            rule,
            False,
            401,
            '{"error":{"code":401,"status":"Unauthorized"}}',
            ("missing scope " + ", ".join(f"`{s}`" for s in lacks),),
            ("with the default scope_strategy `none` Hydra answers `active:false` → 401",),
        )
    reasons = []
    if rule.trusted_issuers:
        r = issuer_mismatch(str(d.claims.get("iss", "")), list(rule.trusted_issuers))
        if r:
            reasons.append(r)
    aud = _missing(rule.target_audience, d.audiences)
    if aud:
        reasons.append("missing audience " + ", ".join(f"`{a}`" for a in aud))
    if reasons:
        return Verdict(
            rule, False, 403, '{"error":{"code":403,"status":"Forbidden"}}', tuple(reasons)
        )
    return Verdict(rule, True, notes=(note,))


def _oathkeeper(rule: Rule, facts: TokenFacts) -> Verdict:
    d = facts.decoded
    if rule.strategy == "unauthorized":
        return Verdict(rule, False, 401, "Access credentials are invalid", ("rule denies all",))
    if rule.strategy in OPEN_HANDLERS:
        return Verdict(rule, True)
    if rule.strategy == "jwt":
        return _oathkeeper_jwt(rule, facts, d)
    if rule.strategy == "oauth2_introspection":
        return _oathkeeper_introspection(rule, facts, d)
    return Verdict(rule, None, notes=(f"handler `{rule.strategy}` cannot be judged offline",))


def evaluate(rule: Rule, facts: TokenFacts) -> Verdict:
    """The verdict for a token sent as `Authorization: Bearer` to a path under this rule."""
    if rule.gatekeeper == NONE:
        return Verdict(rule, True, notes=("no authentication on this rule",))
    if rule.gatekeeper == EXTERNAL:
        return Verdict(rule, None, notes=("`extAuth`: the external authorizer decides",))
    if rule.gatekeeper == ISTIO:
        return _istio(rule, facts)
    return _oathkeeper(rule, facts)
