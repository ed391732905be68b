"""Verdict corpus on the Kyma fakes: Hydra (admin, public, introspection), an issuer's JWKS, an
Istio-like or Oathkeeper-like gate verifying real RS256 JWTs, and the emulated Kubernetes API.

Each row sets up one broken (or healthy) world, mints the token the caller would send, and names
the cause `diagnose` must lead with; `world.diagnose` also checks that neither the token nor any
client secret reaches the report.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
import pytest

from handlers.core.model import Severity
from tests.scenarios.cluster import (
    ENDPOINT_404_LOG,
    OK_LOG,
    add_client,
    add_maester,
    add_rule,
    v2_rule,
)
from tests.scenarios.conftest import World
from tests.scenarios.corpus.conftest import Case, Judge
from tests.scenarios.stack import ISSUER, NOW, at
from tests.scenarios.test_scenarios import SECRET, istio_rule, oathkeeper_rule, registered

PEER = "hydra-fake"
Setup = Callable[[World], "str | None"]


def _expired(w: World) -> str | None:
    istio_rule(w, scopes=["read"])
    registered(w)
    return w.hydra.issue_jwt(w.issuer, iat=at(-4200), exp=at(-600))


def _scope_oathkeeper(w: World) -> str | None:
    oathkeeper_rule(w, scopes=["write"])
    registered(w)
    return w.hydra.issue_jwt(w.issuer, scp=["read"])


def _scope_istio(w: World) -> str | None:
    istio_rule(w, scopes=["write"])
    w.gate.scopes = ["write"]
    registered(w)
    return w.hydra.issue_jwt(w.issuer, scp=["read"])


def _no_token(w: World) -> str | None:
    istio_rule(w, scopes=["read"])
    return None


def _rotated(w: World) -> str | None:
    istio_rule(w)
    w.issuer.published = ["k2"]
    w.gate.cached_kids = ["k2"]
    registered(w)
    return w.hydra.issue_jwt(w.issuer)


def _stale_cache(w: World) -> str | None:
    istio_rule(w)
    w.issuer.published = ["k1", "k2"]
    w.gate.cached_kids = ["k1"]
    registered(w)
    return w.hydra.issue_jwt(w.issuer, kid="k2")


def _trailing_slash(w: World) -> str | None:
    assert w.kube is not None
    add_rule(w.kube, v2_rule(ISSUER.rstrip("/"), w.issuer.jwks_url))
    w.gate.issuers = [ISSUER.rstrip("/")]
    registered(w)
    return w.hydra.issue_jwt(w.issuer)


def _ghost_client(w: World) -> str | None:
    assert w.kube is not None
    oathkeeper_rule(w)
    add_maester(w.kube, "/admin/clients", OK_LOG)
    return w.hydra.issue_jwt(w.issuer, client_id="ghost-client")


def _maester_v1(w: World) -> str | None:
    assert w.kube is not None
    oathkeeper_rule(w)
    add_client(w.kube, SECRET)
    w.secrets.append(SECRET)
    add_maester(w.kube, "/clients", ENDPOINT_404_LOG)
    return w.hydra.issue_jwt(w.issuer)


def _secret_drift(w: World) -> str | None:
    assert w.kube is not None
    istio_rule(w)
    w.register("original-secret-value-1")
    add_client(w.kube, "edited-secret-value-22")
    w.secrets.append("edited-secret-value-22")
    return w.hydra.issue_jwt(w.issuer, iat=at(-4200), exp=at(-600))


def _plus_secret(w: World) -> str | None:
    istio_rule(w)
    registered(w, "Ab+cd/ef=gh+12")
    return w.hydra.issue_jwt(w.issuer, iat=at(-4200), exp=at(-600))


def _audience_barred(w: World) -> str | None:
    istio_rule(w, audiences=["orders"])
    w.gate.audiences = ["orders"]
    registered(w, audience=["billing"])
    return w.hydra.issue_jwt(w.issuer, aud=["billing"])


def _audience_missing(w: World) -> str | None:
    istio_rule(w, audiences=["orders"])
    w.gate.audiences = ["orders"]
    registered(w, audience=["orders", "billing"])
    return w.hydra.issue_jwt(w.issuer, aud=["billing"])


def _refresh(w: World) -> str | None:
    oathkeeper_rule(w)
    registered(w)
    return w.hydra.issue_opaque("ory_rt_", token_use="refresh_token")


def _skew(w: World) -> str | None:
    istio_rule(w)
    registered(w)
    w.gate.date = NOW - timedelta(minutes=10)
    return w.hydra.issue_jwt(w.issuer, iat=at(-5), nbf=at(-5))


def _stripped(w: World) -> str | None:
    istio_rule(w, scopes=["read"])
    w.gate.strip = True
    registered(w)
    return w.hydra.issue_jwt(w.issuer)


def _healthy(w: World) -> str | None:
    istio_rule(w, scopes=["read"])
    registered(w)
    return w.hydra.issue_jwt(w.issuer)


def _claims(w: World) -> dict[str, Any]:
    return jwt.decode(w.issuer.mint(), options={"verify_signature": False})


def _wrong_key(w: World) -> str | None:
    """Signed with k2, but the header names k1: Envoy says `Jwt verification fails`."""
    istio_rule(w)
    w.issuer.published = ["k1", "k2"]
    w.gate.cached_kids = ["k1", "k2"]
    registered(w)
    return jwt.encode(_claims(w), w.issuer.keys["k2"], algorithm="RS256", headers={"kid": "k1"})


def _altered(w: World) -> str | None:
    """A valid token whose payload was edited afterwards (a scope added by hand)."""
    istio_rule(w)
    registered(w)
    head, _, sig = w.issuer.mint().split(".")
    body = base64.urlsafe_b64encode(
        json.dumps({**_claims(w), "scp": ["read", "admin"]}).encode()
    ).rstrip(b"=")
    return f"{head}.{body.decode()}.{sig}"


def _wrong_alg(w: World) -> str | None:
    """HS256 with the header's `kid` of an RSA key: it can never verify."""
    istio_rule(w)
    registered(w)
    return jwt.encode(_claims(w), "s" * 32, algorithm="HS256", headers={"kid": "k1"})


def _healthy_no_cluster(w: World) -> str | None:
    # Accepted by the gate; no cluster and no Hydra needed to say so (issue 15 §8).
    return w.hydra.issue_jwt(w.issuer)


@dataclass(frozen=True)
class Row:
    case: Case
    setup: Setup
    overrides: tuple[tuple[str, Any], ...] = ()
    #: For `signature_invalid`: which failure PyJWT's check must have named.
    signature: str | None = None


def _case(name: str, truth: str, expected: str, status: Severity = Severity.FAIL) -> Case:
    return Case(name, PEER, truth, expected, status)


ROWS = [
    Row(_case("kyma-expired", "The JWT's exp passed 10 min ago", "token_expired"), _expired),
    Row(
        _case("kyma-scope-oathkeeper", "Oathkeeper needs `write`, 401", "scope_missing"),
        _scope_oathkeeper,
    ),
    Row(_case("kyma-scope-istio", "Istio needs `write`, 403 RBAC", "scope_missing"), _scope_istio),
    Row(_case("kyma-no-token", "Nothing sent to an Istio jwt rule", "no_token"), _no_token),
    Row(_case("kyma-kid-rotated", "Signed with k1, JWKS has k2 only", "kid_not_in_jwks"), _rotated),
    Row(
        _case("kyma-jwks-stale-cache", "Istio caches k1, token uses k2", "kid_not_in_jwks"),
        _stale_cache,
    ),
    Row(
        _case("kyma-issuer-slash", "Rule issuer lacks Hydra's `/`", "issuer_mismatch"),
        _trailing_slash,
    ),
    Row(
        _case("kyma-client-gone", "Hydra has no client `ghost-client`", "client_not_registered"),
        _ghost_client,
    ),
    Row(
        _case("kyma-maester-v1", "hydra-maester on v1 paths", "maester_wrong_endpoint"),
        _maester_v1,
    ),
    Row(
        _case("kyma-secret-drift", "Secret edited after registration", "secret_drift"),
        _secret_drift,
    ),
    Row(
        _case("kyma-plus-secret", "`+` in the secret, sent raw", "secret_plus_unencoded"),
        _plus_secret,
    ),
    Row(
        _case("kyma-audience-barred", "Audience not whitelisted", "audience_not_whitelisted"),
        _audience_barred,
    ),
    Row(
        _case("kyma-audience-missing", "Audience allowed, not requested", "audience_missing"),
        _audience_missing,
    ),
    Row(_case("kyma-refresh-token", "A refresh token sent", "refresh_token"), _refresh),
    Row(_case("kyma-clock-skew", "Gateway clock 10 min behind", "clock_skew"), _skew),
    Row(_case("kyma-stripped", "A proxy drops Authorization", "authorization_stripped"), _stripped),
    Row(
        _case("kyma-signed-by-other-kid", "Signed by k2, header says k1", "signature_invalid"),
        _wrong_key,
        signature="wrong_key",
    ),
    Row(
        _case("kyma-payload-altered", "Payload edited after signing", "signature_invalid"),
        _altered,
        signature="altered",
    ),
    Row(
        _case("kyma-wrong-alg", "HS256 token, RSA key `k1`", "signature_invalid"),
        _wrong_alg,
        signature="wrong_alg",
    ),
    Row(
        _case("kyma-healthy", "Everything fits", "accepts this token", Severity.OK),
        _healthy,
    ),
    Row(
        _case(
            "kyma-healthy-no-cluster-no-hydra",
            "The gate accepts the token; no cluster, Hydra unreachable: exit 0",
            "accepts this token",
            Severity.OK,
        ),
        _healthy_no_cluster,
        (
            ("cluster", False),
            ("hydra_admin_url", "http://127.0.0.1:9"),
            ("hydra_public_url", "http://127.0.0.1:9"),
        ),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.case.name for r in ROWS])
async def test_kyma_verdicts(row: Row, world: World, judge: Judge) -> None:
    token = row.setup(world)
    report = await world.diagnose(token, **dict(row.overrides))
    judge(row.case, report)
    if row.signature is not None:
        assert report.findings[0].evidence["signature"] == row.signature
    if row.case.status is Severity.OK:
        assert not report.status.is_problem, "an accepted token must exit 0"
