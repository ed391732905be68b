"""End to end: one broken setup per test, `diagnose` must name its cause first.

Every scenario runs the real command (parse → run_invocation) against real HTTP servers: an API
behind an Istio-like or Oathkeeper-like gate verifying real RS256 JWTs, Hydra (admin, public,
introspection), an issuer's JWKS and the emulated Kubernetes API. `world.diagnose` also asserts
that neither the token nor any client secret appears in the JSON report or the rendered text.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.core.model import Severity
from tests.scenarios.cluster import (
    ENDPOINT_404_LOG,
    OK_LOG,
    add_client,
    add_maester,
    add_rule,
    v1beta1_introspection_rule,
    v2_rule,
)
from tests.scenarios.conftest import World, cause, top
from tests.scenarios.stack import ISSUER, NOW, OATHKEEPER, at

SECRET = "s3cret-value-for-orders"


def istio_rule(world: World, **kw: object) -> None:
    assert world.kube is not None
    add_rule(world.kube, v2_rule(ISSUER, world.issuer.jwks_url, **kw))  # type: ignore[arg-type]


def oathkeeper_rule(world: World, scopes: list[str] | None = None) -> None:
    assert world.kube is not None
    world.gate.mode = OATHKEEPER
    world.gate.scopes = scopes or []
    url = world.hydra.admin_url + "/admin/oauth2/introspect"
    add_rule(world.kube, v1beta1_introspection_rule(url, scopes=scopes))


def registered(world: World, secret: str = SECRET, **kw: object) -> None:
    """Client in Hydra + OAuth2Client and its Secret in the cluster, in sync."""
    assert world.kube is not None
    world.register(secret, **kw)
    add_client(world.kube, secret)


async def test_expired_token(world: World) -> None:
    istio_rule(world, scopes=["read"])
    registered(world)
    token = world.hydra.issue_jwt(world.issuer, iat=at(-4200), exp=at(-600))
    report = await world.diagnose(token)
    first = top(report)
    assert cause(report) == "token_expired"
    assert first.status is Severity.FAIL
    assert "Jwt is expired" in first.detail
    assert report.status is Severity.FAIL  # steps that could not run do not outrank the cause


async def test_missing_scope_behind_oathkeeper_is_401(world: World) -> None:
    oathkeeper_rule(world, scopes=["write"])
    registered(world)
    token = world.hydra.issue_jwt(world.issuer, scp=["read"])
    report = await world.diagnose(token)
    assert cause(report) == "scope_missing"
    first = top(report)
    assert first.evidence["missing"] == ["write"]
    assert first.evidence["gatekeeper"] == "oathkeeper"
    assert "401" in first.title
    # Oathkeeper asked Hydra with the rule's scope; authcheck asked without one.
    assert {"write"} <= {
        s for call in world.hydra.introspected for s in call.get("scope", "").split()
    }
    assert "spec.scope" in first.remedy  # the client may not even request `write`


async def test_missing_scope_behind_istio_is_403(world: World) -> None:
    istio_rule(world, scopes=["write"])
    world.gate.scopes = ["write"]
    registered(world)
    token = world.hydra.issue_jwt(world.issuer, scp=["read"])
    report = await world.diagnose(token)
    assert cause(report) == "scope_missing"
    assert "403" in top(report).title
    assert "authorization_stripped" not in top(report).evidence["runners_up"]


async def test_no_token_behind_istio(world: World) -> None:
    istio_rule(world, scopes=["read"])
    report = await world.diagnose(None)
    first = top(report)
    assert cause(report) == "no_token"
    assert first.evidence["status"] == 403
    assert "Istio/Envoy" in first.title
    assert "scopes `read`" in first.detail  # the rule says what a token must carry
    assert world.gate.seen == [False]


async def test_kid_not_in_jwks_after_rotation(world: World) -> None:
    istio_rule(world)
    world.issuer.published = ["k2"]  # rotated: the old key is gone
    world.gate.cached_kids = ["k2"]
    registered(world)
    token = world.hydra.issue_jwt(world.issuer)  # still signed with k1
    report = await world.diagnose(token)
    assert cause(report) == "kid_not_in_jwks"
    assert top(report).evidence["kid"] == "k1"


async def test_stale_jwks_cache_after_rotation(world: World) -> None:
    istio_rule(world)
    world.issuer.published = ["k1", "k2"]
    world.gate.cached_kids = ["k1"]  # the gateway has not refetched
    registered(world)
    token = world.hydra.issue_jwt(world.issuer, kid="k2")
    report = await world.diagnose(token)
    assert cause(report) == "kid_not_in_jwks"
    assert top(report).evidence["stale_cache"] is True


async def test_issuer_mismatch_by_trailing_slash(world: World) -> None:
    assert world.kube is not None
    add_rule(world.kube, v2_rule(ISSUER.rstrip("/"), world.issuer.jwks_url))
    world.gate.issuers = [ISSUER.rstrip("/")]
    registered(world)
    token = world.hydra.issue_jwt(world.issuer)
    report = await world.diagnose(token)
    assert cause(report) == "issuer_mismatch"
    assert top(report).evidence["trailing_slash"] is True
    assert "trailing slash" in top(report).title


async def test_client_not_registered_in_hydra(world: World) -> None:
    assert world.kube is not None
    oathkeeper_rule(world)
    add_maester(world.kube, "/admin/clients", OK_LOG)
    token = world.hydra.issue_jwt(world.issuer, client_id="ghost-client")
    report = await world.diagnose(token)
    assert cause(report) == "client_not_registered"
    assert top(report).evidence["client_id"] == "ghost-client"


async def test_maester_on_v1_paths_against_hydra_v2(world: World) -> None:
    assert world.kube is not None
    oathkeeper_rule(world)
    add_client(world.kube, SECRET)  # the resource exists; Hydra never got it
    world.secrets.append(SECRET)
    add_maester(world.kube, "/clients", ENDPOINT_404_LOG)
    token = world.hydra.issue_jwt(world.issuer)
    report = await world.diagnose(token)
    first = top(report)
    assert cause(report) == "maester_wrong_endpoint"
    assert first.evidence["endpoint"] == "/clients"
    assert first.evidence["expected"] == "/admin/clients"
    assert "client_not_registered" in first.evidence["runners_up"]


async def test_secret_edited_after_registration(world: World) -> None:
    assert world.kube is not None
    istio_rule(world)
    world.register("original-secret-value-1")
    add_client(world.kube, "edited-secret-value-22")
    world.secrets.append("edited-secret-value-22")
    token = world.hydra.issue_jwt(world.issuer, iat=at(-4200), exp=at(-600))
    report = await world.diagnose(token)
    assert cause(report) == "secret_drift"
    assert top(report).evidence["secret"] == "apps/orders-client-creds"
    assert "token_expired" in top(report).evidence["runners_up"]


async def test_secret_with_plus_sent_unencoded(world: World) -> None:
    istio_rule(world)
    registered(world, "Ab+cd/ef=gh+12")
    token = world.hydra.issue_jwt(world.issuer, iat=at(-4200), exp=at(-600))
    report = await world.diagnose(token)
    assert cause(report) == "secret_plus_unencoded"
    assert "+" in top(report).evidence["characters"]


async def test_audience_not_whitelisted(world: World) -> None:
    istio_rule(world, audiences=["orders"])
    world.gate.audiences = ["orders"]
    registered(world, audience=["billing"])
    token = world.hydra.issue_jwt(world.issuer, aud=["billing"])
    report = await world.diagnose(token)
    assert cause(report) == "audience_not_whitelisted"
    assert top(report).evidence["missing"] == ["orders"]
    assert "spec.audience" in top(report).remedy


async def test_audience_missing_but_allowed(world: World) -> None:
    istio_rule(world, audiences=["orders"])
    world.gate.audiences = ["orders"]
    registered(world, audience=["orders", "billing"])
    token = world.hydra.issue_jwt(world.issuer, aud=["billing"])
    report = await world.diagnose(token)
    assert cause(report) == "audience_missing"


async def test_refresh_token_used_as_access_token(world: World) -> None:
    oathkeeper_rule(world)
    registered(world)
    token = world.hydra.issue_opaque("ory_rt_", token_use="refresh_token")
    report = await world.diagnose(token)
    assert cause(report) == "refresh_token"
    assert top(report).evidence["token_use"] == "refresh_token"


async def test_clock_skew_gateway_behind(world: World) -> None:
    istio_rule(world)
    registered(world)
    world.gate.date = NOW - timedelta(minutes=10)  # the gateway's clock is behind
    token = world.hydra.issue_jwt(world.issuer, iat=at(-5), nbf=at(-5))
    report = await world.diagnose(token)
    assert cause(report) == "clock_skew"
    assert top(report).evidence["server_skew_s"] == -600


async def test_authorization_stripped_by_a_proxy(world: World) -> None:
    istio_rule(world, scopes=["read"])
    world.gate.strip = True
    registered(world)
    token = world.hydra.issue_jwt(world.issuer)
    report = await world.diagnose(token)
    assert cause(report) == "authorization_stripped"
    assert "would accept this token" in top(report).detail


async def test_working_token_is_not_blamed(world: World) -> None:
    istio_rule(world, scopes=["read"])
    registered(world)
    token = world.hydra.issue_jwt(world.issuer)
    report = await world.diagnose(token)
    assert top(report).status is Severity.OK
    assert cause(report) is None
