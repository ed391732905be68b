"""`diagnose` with less to work with: no cluster, no token, Hydra unreachable, a refused URL;
plus the promise that independent steps overlap and that the token never leaks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.gatekeepers import Gatekeepers
from tests.fakes.oidc import OidcServer, free_port
from tests.scenarios.cluster import add_rule, v2_rule
from tests.scenarios.conftest import World, cause, top
from tests.scenarios.stack import ISSUER, rendezvous


def step(report: Report, name: str) -> Finding:
    """The step's own line, or its part of the one "Not checked" line the steps that did not
    run fold into (issue 17)."""
    found = [f for f in report.findings if f.evidence.get("step") == name]
    if found:
        return found[0]
    folded = [f for f in report.findings if name in (f.evidence.get("steps") or {})]
    assert folded, f"no step {name}: {[f.title for f in report.findings]}"
    fold = folded[0]
    assert len([f for f in report.findings if f.title.startswith("Not checked:")]) == 1
    state = fold.evidence["steps"][name]
    return Finding(
        fold.check,
        fold.status,
        fold.title,
        fold.detail,
        fold.remedy,
        {"step": name, "state": state},
    )


def no_cluster(**overrides: Any) -> Settings:
    closed = f"http://127.0.0.1:{free_port()}"
    values: dict[str, Any] = {
        "url_allowlist": ["127.0.0.1"],
        "timeout": 2,
        "kubeconfig": None,
        "hydra_admin_url": closed,
        "hydra_public_url": closed,
    }
    values.update(overrides)
    return Settings(**values)


async def run(text: str, settings: Settings, secret: str | None = None) -> Report:
    ctx = CheckContext(settings=settings)
    report = await run_invocation(parse(text, default_registry()), ctx)
    if secret:
        blob = json.dumps(report.to_dict()) + render(report)
        assert secret not in blob
    return report


async def test_without_cluster_it_still_probes_decodes_and_introspects(
    gatekeepers: Gatekeepers, oidc_server: OidcServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    token = oidc_server.token("svc-plus")
    settings = no_cluster(
        introspect_url=oidc_server.introspection_url,
        introspect_client_id="introspector",
        introspect_client_secret=oidc_server.secret("introspector"),
    )
    report = await run(
        f"diagnose {gatekeepers.url('/oathkeeper')} --token {token}", settings, token
    )
    assert step(report, "probe").evidence["state"] == "ok"
    introspection = step(report, "introspection")
    assert introspection.evidence["state"] == "ok"
    assert "active=true" in introspection.title
    assert step(report, "apirule").evidence["state"] == "skip"
    hydra = step(report, "hydra")
    assert hydra.evidence["state"] == "error"  # unreachable: not a verdict
    assert any(f.title.startswith("Token: sha256:") for f in report.findings)
    first = top(report)
    # Oathkeeper's 403 says the token was authenticated and its audience refused (issue 15 §4):
    # that is the verdict, and the steps that could not run fold into one `skip` line.
    assert first.status is Severity.FAIL
    assert cause(report) == "rule_refused"
    assert "target audience" in first.title
    assert hydra.status is Severity.SKIP
    assert "cluster access" in hydra.remedy
    assert gatekeepers.auth_seen["/oathkeeper"] == [False, True]


async def test_without_token_or_cluster_it_explains_who_refused(
    gatekeepers: Gatekeepers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    report = await run(f"diagnose {gatekeepers.url('/envoy/rbac')}", no_cluster())
    first = top(report)
    assert cause(report) == "no_token"
    assert "Istio/Envoy authorization (RBAC)" in first.title
    assert "AuthorizationPolicy" in first.detail
    assert "--token" in first.remedy
    assert step(report, "introspection").evidence["state"] == "skip"


async def test_undecided_says_what_would_decide(
    gatekeepers: Gatekeepers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    report = await run(f"diagnose {gatekeepers.url('/garbage')}", no_cluster())
    first = top(report)
    assert first.status is Severity.WARN
    assert cause(report) is None
    decide = first.evidence["would_decide"]
    assert "give the token with --token" in decide
    assert any("AUTHCHECK_HYDRA_ADMIN_URL" in d for d in decide)


async def test_loopback_url_is_refused_without_allowlist(
    gatekeepers: Gatekeepers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    report = await run(f"diagnose {gatekeepers.url('/envoy/rbac')}", no_cluster(url_allowlist=[]))
    probe = step(report, "probe")
    assert probe.evidence["state"] == "error"
    assert "AUTHCHECK_URL_ALLOWLIST" in probe.remedy
    assert gatekeepers.hits["/envoy/rbac"] == 0


def test_bad_url_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as raised:
        parse("diagnose ftp://example.com/x", default_registry())
    assert "http" in raised.value.reason


async def test_steps_overlap(world: World) -> None:
    """The gate answers only after Hydra was asked to introspect, and Hydra only after the gate
    was called: run one after the other, the first would wait out its deadline."""
    assert world.kube is not None
    add_rule(world.kube, v2_rule(ISSUER, world.issuer.jwks_url))
    world.register("s3cret-value-for-orders")
    gate_called, hydra_called = asyncio.Event(), asyncio.Event()
    world.gate.before = lambda: rendezvous(gate_called, hydra_called)
    world.hydra.before_introspect = lambda: rendezvous(hydra_called, gate_called)
    token = world.hydra.issue_jwt(world.issuer)
    report = await world.diagnose(token)
    assert step(report, "probe").evidence["state"] == "ok"
    assert step(report, "introspection").evidence["state"] == "ok"
    assert top(report).status is Severity.OK  # the token works once both have answered


async def test_token_never_leaks(world: World) -> None:
    add_rule(world.kube, v2_rule(ISSUER, world.issuer.jwks_url, scopes=["write"]))  # type: ignore[arg-type]
    world.gate.scopes = ["write"]
    world.register("s3cret-value-for-orders")
    token = world.hydra.issue_jwt(world.issuer)
    report = await world.diagnose("Bearer " + token)
    blob = json.dumps(report.to_dict()) + render(report)
    for part in (token, token.split(".")[2], token.split(".")[1]):
        assert part not in blob
    assert cause(report) == "scope_missing"
