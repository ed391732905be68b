"""Kyma APIRules (v1beta1, v2alpha1, v2) read into one shape, and whether a token would pass.

Two gatekeepers stand behind an APIRule and they answer differently (DOMAIN.md's table):
Istio/Envoy (v2 `jwt`, and v1beta1 `jwt` with Istio-style `authentications`) says 401 for a bad
token and 403 `RBAC: access denied` for a good token lacking a scope or audience — or for a token
it never saw because the rule reads it from `fromHeaders`/`fromParams`. Oathkeeper's `jwt`
authenticator says 401 for every failure; its `oauth2_introspection` says 401 for inactive
tokens (a missing scope included, with the default scope strategy) and 403 for issuer/audience.

This module parses an object into that shape (`parse`); the shape itself is `kyma.model` and
the verdict `kyma.evaluation` (`evaluate`, a pure function of the rule, the decoded token, the
JWKS key ids and the time, so `apirule` and `diagnose` give the same verdict and tests need no
server). Their names are re-exported here, so `apirule.Rule` or `apirule.evaluate` still read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.kyma.evaluation import TokenFacts, Verdict, evaluate, issuer_mismatch, trusted_jwks
from handlers.kyma.model import (
    ENVOY_SKEW_S,
    EXTERNAL,
    GROUP,
    ISTIO,
    NONE,
    OATHKEEPER,
    PLURAL,
    VERSIONS,
    ApiRule,
    Authentication,
    Authorization,
    Rule,
)

__all__ = [
    "ENVOY_SKEW_S",
    "EXTERNAL",
    "GROUP",
    "ISTIO",
    "NONE",
    "OATHKEEPER",
    "PLURAL",
    "VERSIONS",
    "ApiRule",
    "Authentication",
    "Authorization",
    "Rule",
    "TokenFacts",
    "Verdict",
    "evaluate",
    "issuer_mismatch",
    "parse",
    "trusted_jwks",
]


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
