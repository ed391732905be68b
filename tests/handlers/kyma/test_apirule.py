"""Parsing of v1beta1/v2alpha1/v2 APIRules and the pure token evaluation (DOMAIN.md's table)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handlers.kyma import apirule as apirules
from handlers.kyma.apirule import TokenFacts, evaluate
from handlers.tokens.reading import DecodedJwt

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
ISS = "https://oauth2.example.com/"
JWKS = "https://oauth2.example.com/.well-known/jwks.json"


def token(**claims: Any) -> DecodedJwt:
    base = {
        "iss": ISS,
        "aud": ["orders"],
        "scp": ["read"],
        "exp": int((NOW + timedelta(minutes=30)).timestamp()),
        "iat": int(NOW.timestamp()),
    }
    base.update(claims)
    return DecodedJwt({"alg": "RS256", "kid": "key-1"}, base, True)


def facts(decoded: DecodedJwt | None, kids: frozenset[str] = frozenset({"key-1"})) -> TokenFacts:
    return TokenFacts(decoded, NOW, {JWKS: kids})


def v2(rule: dict[str, Any], version: str = "v2") -> apirules.ApiRule:
    return apirules.parse(
        {
            "apiVersion": f"gateway.kyma-project.io/{version}",
            "kind": "APIRule",
            "metadata": {"name": "orders", "namespace": "apps", "generation": 1},
            "spec": {
                "hosts": ["orders.example.com"],
                "gateway": "kyma-system/kyma-gateway",
                "service": {"name": "orders", "port": 8080},
                "rules": [{"path": "/*", "methods": ["GET"], **rule}],
            },
            "status": {"state": "Ready", "description": ""},
        }
    )


def jwt_rule(**extra: Any) -> dict[str, Any]:
    auth: dict[str, Any] = {"issuer": ISS, "jwksUri": JWKS}
    auth.update(extra.pop("auth", {}))
    return {
        "jwt": {
            "authentications": [auth],
            "authorizations": [{"requiredScopes": ["read"], "audiences": ["orders"]}],
            **extra,
        }
    }


def v1beta1(handler: str, config: dict[str, Any]) -> apirules.ApiRule:
    return apirules.parse(
        {
            "apiVersion": "gateway.kyma-project.io/v1beta1",
            "metadata": {"name": "orders", "namespace": "apps"},
            "spec": {
                "host": "orders.example.com",
                "gateway": "kyma-gateway.kyma-system.svc.cluster.local",
                "service": {"name": "orders", "port": 8080},
                "rules": [
                    {
                        "path": "/.*",
                        "methods": ["GET"],
                        "accessStrategies": [{"handler": handler, "config": config}],
                    }
                ],
            },
            "status": {"APIRuleStatus": {"code": "ERROR", "desc": "Validation error"}},
        }
    )


@pytest.mark.parametrize("version", ["v2", "v2alpha1"])
def test_v2_shapes(version: str) -> None:
    rule = v2(jwt_rule(), version)
    assert rule.version == version
    assert rule.hosts == ("orders.example.com",)
    assert rule.status == "Ready"
    assert rule.status_ok is True
    (r,) = rule.rules
    assert (r.gatekeeper, r.strategy) == ("istio", "jwt")
    assert r.all_scopes == ["read"]
    assert r.issuers == [ISS]
    assert r.all_jwks_urls == [JWKS]


def test_v1beta1_oathkeeper_and_istio_style() -> None:
    ok = v1beta1(
        "oauth2_introspection",
        {"required_scope": ["read"], "introspection_url": "http://hydra:4445/oauth2/introspect"},
    )
    assert ok.status == "ERROR"
    assert ok.status_ok is False
    (r,) = ok.rules
    assert (r.gatekeeper, r.strategy) == ("oathkeeper", "oauth2_introspection")
    assert r.introspection_url == "http://hydra:4445/oauth2/introspect"
    istio = v1beta1("jwt", {"authentications": [{"issuer": ISS, "jwksUri": JWKS}]})
    assert istio.rules[0].gatekeeper == "istio"
    assert v1beta1("no_auth", {}).rules[0].gatekeeper == "none"


def test_istio_good_token_passes() -> None:
    verdict = evaluate(v2(jwt_rule()).rules[0], facts(token()))
    assert verdict.passes is True


@pytest.mark.parametrize(
    ("claims", "status", "answer", "reason"),
    [
        ({"scp": ["write"]}, 403, "RBAC: access denied", "missing scope `read`"),
        ({"aud": ["other"]}, 403, "RBAC: access denied", "missing audience `orders`"),
        (
            {"iss": ISS.rstrip("/")},
            401,
            "Jwt issuer is not configured",
            "only by a trailing slash",
        ),
        ({"exp": int((NOW - timedelta(hours=1)).timestamp())}, 401, "Jwt is expired", "`exp`"),
    ],
)
def test_istio_rejections(claims: dict[str, Any], status: int, answer: str, reason: str) -> None:
    verdict = evaluate(v2(jwt_rule()).rules[0], facts(token(**claims)))
    assert verdict.passes is False
    assert verdict.status == status
    assert verdict.answer == answer
    assert reason in " ".join(verdict.reasons)


def test_kid_not_in_jwks_is_401() -> None:
    verdict = evaluate(v2(jwt_rule()).rules[0], facts(token(), frozenset({"key-2"})))
    assert (verdict.passes, verdict.status) == (False, 401)
    assert "Jwks doesn't have key" in verdict.answer
    assert "`key-1`" in verdict.reasons[0]


def test_from_headers_makes_a_bearer_token_invisible() -> None:
    rule = v2(jwt_rule(auth={"fromHeaders": [{"name": "X-JWT", "prefix": "Token "}]}))
    verdict = evaluate(rule.rules[0], facts(token()))
    assert (verdict.passes, verdict.status, verdict.answer) == (False, 403, "RBAC: access denied")
    assert "header `X-JWT` with prefix `Token `" in verdict.reasons[0]


def test_oathkeeper_jwt_answers_401_even_for_scope() -> None:
    rule = v1beta1("jwt", {"trusted_issuers": [ISS], "jwks_urls": [JWKS], "required_scope": ["x"]})
    verdict = evaluate(rule.rules[0], facts(token()))
    assert (verdict.passes, verdict.status) == (False, 401)
    assert "missing scope `x`" in verdict.reasons


def test_oathkeeper_introspection_scope_401_audience_403_opaque_unknown() -> None:
    scope = v1beta1("oauth2_introspection", {"required_scope": ["x"]})
    assert evaluate(scope.rules[0], facts(token())).status == 401
    aud = v1beta1("oauth2_introspection", {"target_audience": ["billing"]})
    assert evaluate(aud.rules[0], facts(token())).status == 403
    assert evaluate(aud.rules[0], facts(None)).passes is None


def test_no_auth_passes_and_opaque_token_on_istio_is_401() -> None:
    assert evaluate(v2({"noAuth": True}).rules[0], facts(None)).passes is True
    assert evaluate(v2(jwt_rule()).rules[0], facts(None)).status == 401
