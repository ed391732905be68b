"""Fixtures of the scenario suite: an issuer with a JWKS, Hydra with introspection, a gated API,
and the emulated cluster; `world.diagnose(...)` runs the command the way the worker does."""

from __future__ import annotations

import json
import shlex
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.hydra_admin import hydra_client
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401  (registers `kube`)
from tests.scenarios.stack import NOW, Gate, Issuer, ScenarioHydra


@dataclass
class World:
    issuer: Issuer
    hydra: ScenarioHydra
    gate: Gate
    kube: FakeKube | None
    secrets: list[str] = field(default_factory=list)

    def register(self, secret: str, **kw: Any) -> None:
        """A client in Hydra, as hydra-maester registered it for `apps/orders-client`."""
        self.secrets.append(secret)
        kw.setdefault("owner", "orders-client/apps")
        kw.setdefault("scope", "read")
        kw.setdefault("audience", ["orders"])
        self.hydra.add_client(hydra_client(kw.pop("client_id", "orders-client"), secret, **kw))

    def settings(self, cluster: bool = True, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "url_allowlist": ["127.0.0.1"],
            "timeout": 2,
            "kubeconfig": str(self.kube.kubeconfig) if cluster and self.kube else None,
            **self.hydra.settings_overrides(),
        }
        values.update(overrides)
        return Settings(**values)

    async def diagnose(
        self, token: str | None = None, path: str = "/orders/1", **overrides: Any
    ) -> Report:
        text = f"diagnose {self.gate.url(path)}" + (
            f" --token {shlex.quote(token)}" if token else ""
        )
        ctx = CheckContext(settings=self.settings(**overrides), clock=lambda: NOW)
        report = await run_invocation(parse(text, default_registry()), ctx)
        blob = json.dumps(report.to_dict()) + render(report)
        for secret in [*([token] if token else []), *self.secrets]:
            assert secret not in blob, "a secret leaked into the report"
        if token and token.count(".") == 2:
            assert token.rsplit(".", 1)[1] not in blob
        return report


def top(report: Report) -> Finding:
    return report.findings[0]


def cause(report: Report) -> str | None:
    value = top(report).evidence.get("cause")
    return str(value) if value is not None else None


@pytest_asyncio.fixture(name="world")
async def world_fixture(kube: FakeKube, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    issuer = Issuer()
    hydra = ScenarioHydra()
    await issuer.start()
    await hydra.start()
    gate = Gate(issuer=issuer, hydra=hydra)
    await gate.start()
    try:
        yield World(issuer, hydra, gate, kube)
    finally:
        await gate.stop()
        await hydra.stop()
        await issuer.stop()
