"""Attack: a forged token names its own keys (`jku`, `x5u`, an `iss` nobody configured).

`diagnose` verifies signatures only with keys a trusted source names (the APIRule's `jwksUri`,
AUTHCHECK_ISSUER's discovery). An attacker who mints a token chooses its header and claims: if
authcheck fetched keys from there, the forged token would "verify" and the verdict would vouch
for it. The attacker's server is reachable (loopback is allow-listed here), so only the rule
keeps it from being asked; each test counts the attacker's hits.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest_asyncio
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Severity
from handlers.core.runner import run_invocation
from tests.report.plugin import RowMaker
from tests.scenarios.conftest import World, cause
from tests.scenarios.stack import ISSUER, NOW, at, serve
from tests.scenarios.test_scenarios import istio_rule, registered

_ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Attacker:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.url = ""

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_ATTACKER_KEY.public_key()))
        return {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] += 1
        if request.path.endswith("openid-configuration"):
            return web.json_response({"issuer": self.url, "jwks_uri": self.url + "/keys"})
        return web.json_response(self.jwks())


@pytest_asyncio.fixture(name="attacker")
async def attacker_fixture() -> AsyncIterator[Attacker]:
    attacker = Attacker()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", attacker.handle)
    runner, attacker.url = await serve(app)
    try:
        yield attacker
    finally:
        await runner.cleanup()


def _forged(attacker: Attacker, iss: str) -> str:
    claims = {
        "iss": iss,
        "sub": "orders-client",
        "client_id": "orders-client",
        "aud": ["orders"],
        "scp": ["read", "admin"],
        "iat": at(-60),
        "exp": at(3000),
    }
    headers = {"kid": "k1", "jku": attacker.url + "/jku", "x5u": attacker.url + "/x5u"}
    return jwt.encode(claims, _ATTACKER_KEY, algorithm="RS256", headers=headers)


async def test_keys_named_by_the_token_are_never_fetched(
    world: World, attacker: Attacker, report_row: RowMaker
) -> None:
    istio_rule(world, scopes=["read"])
    registered(world)
    token = _forged(attacker, ISSUER)
    report = await world.diagnose(token)
    assert attacker.hits == Counter(), "a key URL named by the token was fetched"
    assert cause(report) == "signature_invalid"
    first = report.findings[0]
    assert first.evidence["signature"] == "altered"
    assert first.evidence["jwks"] == world.issuer.jwks_url
    report_row(
        "Security",
        "forged JWT with `jku`/`x5u` pointing at the attacker",
        "`diagnose` with the token, attacker reachable",
        "signature checked with the APIRule's `jwksUri` only: `signature_invalid`",
        "attacker's key URLs never fetched",
    )


async def test_an_unconfigured_issuer_is_not_a_key_source(
    world: World, attacker: Attacker, report_row: RowMaker
) -> None:
    istio_rule(world, scopes=["read"])
    registered(world)
    token = _forged(attacker, attacker.url)
    report = await world.diagnose(token)
    assert attacker.hits["/keys"] == 0
    assert attacker.hits["/jku"] == attacker.hits["/x5u"] == 0
    blob = json.dumps(report.to_dict())
    assert "verifies with the key" not in blob
    assert cause(report) == "issuer_mismatch"
    report_row(
        "Security",
        "forged JWT whose `iss` is the attacker's server",
        "`diagnose` with the token, AUTHCHECK_ISSUER unset",
        "issuer refused (`issuer_mismatch`); no keys taken from the token's issuer",
        "attacker's JWKS never fetched",
    )


async def test_apirule_checks_the_signature_with_the_rule_s_keys_only(
    world: World, attacker: Attacker
) -> None:
    """`apirule --token` makes the same check as `diagnose`: the rule's keys, never `jku`."""
    istio_rule(world, scopes=["read"])
    token = _forged(attacker, ISSUER)
    ctx = CheckContext(settings=world.settings(), clock=lambda: NOW)
    text = f"apirule apps/orders --token {token}"
    report = await run_invocation(parse(text, default_registry()), ctx)
    assert token not in json.dumps(report.to_dict())
    assert attacker.hits == Counter()
    refused = [f for f in report.findings if f.evidence.get("signature") == "altered"]
    assert refused
    assert refused[0].status is Severity.FAIL
    good = world.hydra.issue_jwt(world.issuer)
    report = await run_invocation(
        parse(f"apirule apps/orders --token {good}", default_registry()), ctx
    )
    assert any(f.title == "Signature verified with the rule's JWKS" for f in report.findings)
