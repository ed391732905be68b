"""`apirule`: read through the official client from the emulated API server; JWKS over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest_asyncio
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Report, Severity
from handlers.core.runner import run_invocation
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Jwks:
    def __init__(self) -> None:
        self.url = ""
        self.runner: web.AppRunner | None = None
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
        self.keys = [{**jwk, "kid": "key-1", "use": "sig", "alg": "RS256"}]

    async def handle(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": self.keys})


@pytest_asyncio.fixture(name="jwks")
async def jwks_fixture() -> AsyncIterator[Jwks]:
    fake = Jwks()
    app = web.Application()
    app.router.add_get("/.well-known/jwks.json", fake.handle)
    fake.runner = web.AppRunner(app)
    await fake.runner.setup()
    site = web.TCPSite(fake.runner, "127.0.0.1", 0)
    await site.start()
    fake.url = f"http://127.0.0.1:{fake.runner.addresses[0][1]}/.well-known/jwks.json"
    yield fake
    await fake.runner.cleanup()


def issue(kid: str = "key-1", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": "https://oauth2.example.com/", "sub": "orders", "aud": ["orders"]}
    body |= {"scp": ["read"], "iat": now, "exp": now + 600}
    body.update(claims)
    return jwt.encode(body, KEY, algorithm="RS256", headers={"kid": kid})


def v2_rule(jwks_url: str, **auth: Any) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.kyma-project.io/v2",
        "kind": "APIRule",
        "metadata": {"name": "orders", "namespace": "apps"},
        "spec": {
            "hosts": ["orders.example.com"],
            "gateway": "kyma-system/kyma-gateway",
            "service": {"name": "orders", "port": 8080},
            "rules": [
                {"path": "/health", "methods": ["GET"], "noAuth": True},
                {
                    "path": "/orders/*",
                    "methods": ["GET", "POST"],
                    "jwt": {
                        "authentications": [
                            {"issuer": "https://oauth2.example.com/", "jwksUri": jwks_url, **auth}
                        ],
                        "authorizations": [{"requiredScopes": ["write"], "audiences": ["orders"]}],
                    },
                },
            ],
        },
        "status": {"state": "Ready", "description": ""},
    }


async def run(ctx: CheckContext, text: str) -> Report:
    return await run_invocation(parse(text, default_registry()), ctx)


async def test_rules_listed_and_scope_missing_is_403(kube: FakeKube, jwks: Jwks) -> None:
    kube.add_object("gateway.kyma-project.io", "v2", "apirules", v2_rule(jwks.url))
    tok = issue()
    report = await run(kube.context(), f"apirule apps/orders --token {tok}")
    titles = [f.title for f in report.findings]
    assert any(t.startswith("APIRule `apps/orders` (v2): orders.example.com") for t in titles)
    assert "Status Ready" in titles
    passed = [f for f in report.findings if f.status is Severity.OK and "would pass" in f.title]
    assert [f.evidence["rule"] for f in passed] == [1]
    fail = next(f for f in report.findings if f.status is Severity.FAIL)
    assert fail.evidence["status"] == 403
    assert "missing scope `write`" in fail.title
    assert "RBAC: access denied" in fail.detail
    blob = json.dumps(report.to_dict()) + render(report)
    assert tok not in blob
    assert tok.split(".")[2] not in blob


async def test_rotated_key_and_unreachable_jwks(kube: FakeKube, jwks: Jwks) -> None:
    kube.add_object("gateway.kyma-project.io", "v2", "apirules", v2_rule(jwks.url))
    report = await run(
        kube.context(), f"apirule apps/orders --token {issue(kid='old', scp=['write'])}"
    )
    fail = next(f for f in report.findings if f.status is Severity.FAIL)
    assert fail.evidence["status"] == 401
    assert "`old`" in fail.title

    kube.add_object(
        "gateway.kyma-project.io",
        "v2",
        "apirules",
        {**v2_rule("http://127.0.0.1:9/jwks"), "metadata": {"name": "b", "namespace": "apps"}},
    )
    report = await run(kube.context(), f"apirule apps/b --token {issue(scp=['write'])}")
    err = next(f for f in report.findings if f.status is Severity.ERROR)
    assert "http://127.0.0.1:9/jwks" in err.detail
    assert not [f for f in report.findings if f.status is Severity.FAIL]


async def test_from_headers_gotcha(kube: FakeKube, jwks: Jwks) -> None:
    rule = v2_rule(jwks.url, fromHeaders=[{"name": "X-Orders-Token"}])
    kube.add_object("gateway.kyma-project.io", "v2", "apirules", rule)
    report = await run(kube.context(), f"apirule apps/orders --token {issue(scp=['write'])}")
    fail = next(f for f in report.findings if f.status is Severity.FAIL)
    assert "counts as no token" in fail.title
    assert "X-Orders-Token" in fail.title


async def test_v1beta1_status_error_and_original_version(kube: FakeKube) -> None:
    body = {
        "apiVersion": "gateway.kyma-project.io/v1beta1",
        "kind": "APIRule",
        "metadata": {"name": "legacy", "namespace": "apps"},
        "spec": {
            "host": "legacy.example.com",
            "gateway": "kyma-gateway.kyma-system.svc.cluster.local",
            "service": {"name": "legacy", "port": 80},
            "rules": [
                {
                    "path": "/.*",
                    "methods": ["GET"],
                    "accessStrategies": [
                        {"handler": "oauth2_introspection", "config": {"required_scope": ["read"]}}
                    ],
                }
            ],
        },
        "status": {"APIRuleStatus": {"code": "ERROR", "desc": "Multiple validation errors"}},
    }
    kube.add_object("gateway.kyma-project.io", "v1beta1", "apirules", body)
    report = await run(kube.context(), "apirule apps/legacy")
    assert any(
        f.title == "APIRule status ERROR" and f.status is Severity.FAIL for f in report.findings
    )
    assert any("oauth2_introspection" in f.title for f in report.findings)


async def test_missing_and_forbidden(kube: FakeKube) -> None:
    report = await run(kube.context(), "apirule apps/nope")
    assert report.findings[0].status is Severity.FAIL
    kube.forbid("get", "apirules", "locked", group="gateway.kyma-project.io", version="v2")
    report = await run(kube.context(), "apirule locked/x")
    assert report.findings[0].status is Severity.ERROR
    assert "apirules.gateway.kyma-project.io" in report.findings[0].title
