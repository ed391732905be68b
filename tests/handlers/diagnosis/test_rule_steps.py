"""The `apirule` step of `diagnose` (handlers.diagnosis.rule_steps), read through kyma.reader."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.diagnosis.facts import OK, Facts
from handlers.diagnosis.rule_steps import apirule
from handlers.kyma import apirule as apirules
from handlers.tokens.info import view
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

OPAQUE = "ory_at_opaque-token-for-the-rule-step-test"


def _oathkeeper_jwt_rule() -> dict[str, object]:
    """A v1beta1 rule with Oathkeeper's `jwt` handler, JWKS named, no trusted issuers."""
    return {
        "apiVersion": "gateway.kyma-project.io/v1beta1",
        "kind": "APIRule",
        "metadata": {"namespace": "apps", "name": "orders"},
        "spec": {
            "host": "orders.example.com",
            "service": {"name": "orders", "port": 8080},
            "rules": [
                {
                    "path": "/.*",
                    "methods": ["GET"],
                    "accessStrategies": [
                        {
                            "handler": "jwt",
                            "config": {"jwks_urls": ["http://127.0.0.1:9/.well-known/jwks.json"]},
                        }
                    ],
                }
            ],
        },
    }


async def test_an_opaque_token_against_a_jwt_rule_is_judged_not_an_error(kube: FakeKube) -> None:
    """No JWKS is fetched for an opaque token; the step still finds the rule and its verdict
    (401: the `jwt` handler needs a JWT) instead of failing as an `error`."""
    kube.add_object(apirules.GROUP, "v1beta1", apirules.PLURAL, _oathkeeper_jwt_rule())
    ctx = kube.context()
    facts = Facts("https://orders.example.com/api", "GET", OPAQUE, datetime.now(UTC))
    facts.token_view = view(OPAQUE)
    await apirule(ctx, facts)
    step = facts.steps["apirule"]
    assert step.state == OK, step.summary
    assert "APIRule `apps/orders` (v1beta1)" in step.summary
    assert facts.verdict is not None
    assert facts.verdict.passes is False
    assert facts.verdict.status == 401
    assert "jwks" not in facts.steps
