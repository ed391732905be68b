"""Kyma APIRules (v1beta1, v2alpha1, v2) read into one shape, and whether a token would pass.

Two gatekeepers stand behind an APIRule and they answer differently (DOMAIN.md's table):
Istio/Envoy (v2 `jwt`, and v1beta1 `jwt` with Istio-style `authentications`) says 401 for a bad
token and 403 `RBAC: access denied` for a good token lacking a scope or audience — or for a token
it never saw because the rule reads it from `fromHeaders`/`fromParams`. Oathkeeper's `jwt`
authenticator says 401 for every failure; its `oauth2_introspection` says 401 for inactive
tokens (a missing scope included, with the default scope strategy) and 403 for issuer/audience.

`evaluate` is a pure function of the rule, the decoded token, the JWKS key ids and the time, so
`apirule` and `diagnose` give the same verdict and tests need no server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.tokens.reading import DecodedJwt

GROUP = "gateway.kyma-project.io"
PLURAL = "apirules"
#: Served versions, newest first: the one the object is read through decides the shape.
VERSIONS = ("v2", "v2alpha1", "v1beta1")
#: Envoy's default clock skew for `exp`/`nbf`.
ENVOY_SKEW_S = 60

OATHKEEPER = "oathkeeper"
ISTIO = "istio"
NONE = "none"
EXTERNAL = "external"

_OPEN_HANDLERS = {"allow", "no_auth", "noop", "anonymous"}


@dataclass(frozen=True)
class Authentication:
    """Where a token is accepted from and who may have issued it (Istio RequestAuthentication)."""

    issuer: str
    jwks_uri: str
    from_headers: tuple[tuple[str, str], ...] = ()  # (name, prefix)
    from_params: tuple[str, ...] = ()

    @property
    def custom_location(self) -> bool:
        return bool(self.from_headers or self.from_params)

    def location(self) -> str:
        parts = [
            f"header `{n}`" + (f" with prefix `{p}`" if p else "") for n, p in self.from_headers
        ]
        parts += [f"query parameter `{p}`" for p in self.from_params]
        return " or ".join(parts) if parts else "`Authorization: Bearer`"


@dataclass(frozen=True)
class Authorization:
    """One alternative: the token needs every scope and every audience listed."""

    required_scopes: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One rule, whatever version it came from."""

    index: int
    path: str
    methods: tuple[str, ...]
    strategy: str  # the handler name (v1beta1) or `noAuth` / `jwt` / `extAuth` (v2)
    gatekeeper: str  # oathkeeper | istio | none | external
    authentications: tuple[Authentication, ...] = ()
    authorizations: tuple[Authorization, ...] = ()
    trusted_issuers: tuple[str, ...] = ()  # Oathkeeper
    jwks_urls: tuple[str, ...] = ()  # Oathkeeper
    required_scopes: tuple[str, ...] = ()  # Oathkeeper
    target_audience: tuple[str, ...] = ()  # Oathkeeper
    introspection_url: str | None = None
    other_handlers: tuple[str, ...] = ()

    @property
    def issuers(self) -> list[str]:
        return [a.issuer for a in self.authentications] + list(self.trusted_issuers)

    @property
    def all_jwks_urls(self) -> list[str]:
        urls = [a.jwks_uri for a in self.authentications if a.jwks_uri] + list(self.jwks_urls)
        return list(dict.fromkeys(urls))

    @property
    def all_scopes(self) -> list[str]:
        out = list(self.required_scopes)
        for a in self.authorizations:
            out += [s for s in a.required_scopes if s not in out]
        return out

    @property
    def all_audiences(self) -> list[str]:
        out = list(self.target_audience)
        for a in self.authorizations:
            out += [s for s in a.audiences if s not in out]
        return out

    def label(self) -> str:
        methods = ",".join(self.methods) if self.methods else "any method"
        return f"rule {self.index + 1} `{self.path}` ({methods}, {self.strategy})"


@dataclass(frozen=True)
class ApiRule:
    version: str
    namespace: str
    name: str
    hosts: tuple[str, ...]
    gateway: str
    service: str
    rules: tuple[Rule, ...]
    #: "OK", "Ready", "Error", ... and the controller's words.
    status: str | None
    status_description: str | None
    generation: int | None = None

    @property
    def status_ok(self) -> bool | None:
        if self.status is None:
            return None
        return self.status.upper() in ("OK", "READY")


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()


def _authentications(items: Any) -> tuple[Authentication, ...]:
    out: list[Authentication] = []
    for a in items if isinstance(items, list) else []:
        if not isinstance(a, dict):
            continue
        headers = tuple(
            (str(h.get("name", "")), str(h.get("prefix", "")))
            for h in a.get("fromHeaders") or []
            if isinstance(h, dict)
        )
        out.append(
            Authentication(
                issuer=str(a.get("issuer", "")),
                jwks_uri=str(a.get("jwksUri", "")),
                from_headers=headers,
                from_params=_strs(a.get("fromParams")),
            )
        )
    return tuple(out)


def _authorizations(items: Any) -> tuple[Authorization, ...]:
    return tuple(
        Authorization(_strs(a.get("requiredScopes")), _strs(a.get("audiences")))
        for a in (items if isinstance(items, list) else [])
        if isinstance(a, dict)
    )


def _v1beta1_rule(index: int, raw: dict[str, Any]) -> Rule:
    strategies = [s for s in raw.get("accessStrategies") or [] if isinstance(s, dict)]
    handlers = [str(s.get("handler", "")) for s in strategies]
    base: dict[str, Any] = {
        "index": index,
        "path": str(raw.get("path", "/")),
        "methods": _strs(raw.get("methods")),
    }
    for s in strategies:
        handler = str(s.get("handler", ""))
        config = s.get("config") if isinstance(s.get("config"), dict) else {}
        assert isinstance(config, dict)
        others = tuple(h for h in handlers if h != handler)
        if handler == "jwt" and "authentications" in config:
            return Rule(
                **base,
                strategy="jwt",
                gatekeeper=ISTIO,
                authentications=_authentications(config.get("authentications")),
                authorizations=_authorizations(config.get("authorizations")),
                other_handlers=others,
            )
        if handler in ("jwt", "oauth2_introspection"):
            return Rule(
                **base,
                strategy=handler,
                gatekeeper=OATHKEEPER,
                trusted_issuers=_strs(config.get("trusted_issuers")),
                jwks_urls=_strs(config.get("jwks_urls")),
                required_scopes=_strs(config.get("required_scope")),
                target_audience=_strs(config.get("target_audience")),
                introspection_url=(
                    str(config["introspection_url"]) if config.get("introspection_url") else None
                ),
                other_handlers=others,
            )
    first = handlers[0] if handlers else "none"
    gatekeeper = NONE if first in ("allow", "no_auth") else OATHKEEPER
    return Rule(**base, strategy=first, gatekeeper=gatekeeper, other_handlers=tuple(handlers[1:]))


def _v2_rule(index: int, raw: dict[str, Any]) -> Rule:
    base: dict[str, Any] = {
        "index": index,
        "path": str(raw.get("path", "/")),
        "methods": _strs(raw.get("methods")),
    }
    if raw.get("noAuth") is True:
        return Rule(**base, strategy="noAuth", gatekeeper=NONE)
    jwt = raw.get("jwt")
    if isinstance(jwt, dict):
        return Rule(
            **base,
            strategy="jwt",
            gatekeeper=ISTIO,
            authentications=_authentications(jwt.get("authentications")),
            authorizations=_authorizations(jwt.get("authorizations")),
        )
    if isinstance(raw.get("extAuth"), dict):
        return Rule(**base, strategy="extAuth", gatekeeper=EXTERNAL)
    return Rule(**base, strategy="none declared", gatekeeper=NONE)


def _mapping(value: Any) -> dict[str, Any]:
    """A section of the object, or {} when a malformed object has something else there."""
    return value if isinstance(value, dict) else {}


def parse(obj: Mapping[str, Any]) -> ApiRule:
    """An APIRule object (as read from the API, any served version) in the common shape."""
    api_version = str(obj.get("apiVersion", ""))
    version = api_version.rpartition("/")[2] or "v1beta1"
    meta, spec, status = (_mapping(obj.get(key)) for key in ("metadata", "spec", "status"))
    raw_rules = [r for r in spec.get("rules") or [] if isinstance(r, dict)]
    service = spec.get("service") or {}
    svc = ""
    if isinstance(service, dict) and service.get("name"):
        svc = f"{service.get('name')}" + (
            f".{service['namespace']}" if service.get("namespace") else ""
        )
        svc += f":{service.get('port')}" if service.get("port") else ""
    if version == "v1beta1":
        rules = tuple(_v1beta1_rule(i, r) for i, r in enumerate(raw_rules))
        hosts = _strs(spec.get("host"))
        api_status = status.get("APIRuleStatus") or {}
        state = api_status.get("code") if isinstance(api_status, dict) else None
        desc = api_status.get("desc") if isinstance(api_status, dict) else None
    else:
        rules = tuple(_v2_rule(i, r) for i, r in enumerate(raw_rules))
        hosts = _strs(spec.get("hosts"))
        state = status.get("state")
        desc = status.get("description")
    return ApiRule(
        version=version,
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        hosts=hosts,
        gateway=str(spec.get("gateway", "")),
        service=svc,
        rules=rules,
        status=str(state) if state else None,
        status_description=str(desc) if desc else None,
        generation=meta.get("generation") if isinstance(meta.get("generation"), int) else None,
    )


# -- evaluation ---------------------------------------------------------------------------------


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


def _oathkeeper(rule: Rule, facts: TokenFacts) -> Verdict:
    d = facts.decoded
    if rule.strategy == "unauthorized":
        return Verdict(rule, False, 401, "Access credentials are invalid", ("rule denies all",))
    if rule.strategy in _OPEN_HANDLERS:
        return Verdict(rule, True)
    if rule.strategy == "jwt":
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
    if rule.strategy == "oauth2_introspection":
        note = "whether Hydra still considers the token active needs `introspect`"
        if d is None:
            return Verdict(rule, None, notes=(note,))
        if _time_problem(facts, 0) == "expired":
            return Verdict(
                rule, False, 401, "", ("the token is expired: introspection says inactive",)
            )
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
