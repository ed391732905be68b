"""Which APIRule rule serves a URL: host forms, v1beta1 regex paths, v2 wildcards, methods."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.kyma import apirule as apirules
from handlers.kyma import routes


@pytest.mark.parametrize(
    ("pattern", "path", "version", "expected"),
    [
        ("/orders/{**}", "/orders/1/items", "v2", True),
        ("/orders/{*}", "/orders/1", "v2", True),
        ("/orders/{*}", "/orders/1/items", "v2", False),
        ("/orders/*", "/orders/1/items", "v2alpha1", True),
        ("/*", "/anything", "v2", True),
        ("/health", "/health", "v2", True),
        ("/health", "/healthz", "v2", False),
        ("/orders/.*", "/orders/7", "v1beta1", True),
        ("/orders/.*", "/billing/7", "v1beta1", False),
        ("/orders/[", "/orders/[", "v1beta1", True),  # broken regex: exact only
        ("/orders/[", "/orders/x", "v1beta1", False),
    ],
)
def test_path_matches(pattern: str, path: str, version: str, expected: bool) -> None:
    assert routes.path_matches(pattern, path, version) is expected


def test_host_matches_short_v1beta1_name_and_ignores_port() -> None:
    assert routes.host_matches("orders", "orders.c-1.kyma.ondemand.com")
    assert routes.host_matches("orders.example.com:443", "orders.example.com")
    assert not routes.host_matches("orders", "orders-v2.example.com")
    assert not routes.host_matches("orders.example.com", "billing.example.com")


def _rule(rules: list[dict[str, Any]], hosts: list[str]) -> apirules.ApiRule:
    return apirules.parse(
        {
            "apiVersion": "gateway.kyma-project.io/v2",
            "metadata": {"name": "orders", "namespace": "apps"},
            "spec": {"hosts": hosts, "rules": rules},
        }
    )


def test_most_specific_rule_and_method_win() -> None:
    rule = _rule(
        [
            {"path": "/{**}", "methods": ["GET"], "noAuth": True},
            {"path": "/orders/{**}", "methods": ["POST"], "jwt": {}},
            {"path": "/orders/{**}", "methods": ["GET"], "jwt": {}},
        ],
        ["orders.example.com"],
    )
    other = _rule([{"path": "/{**}", "noAuth": True}], ["billing.example.com"])
    found = routes.find([other, rule], "orders.example.com", "/orders/1", "GET")
    assert found is not None
    assert found.rule is not None
    assert found.rule.index == 2
    assert not found.method_mismatch
    put = routes.find([rule], "orders.example.com", "/orders/1", "PUT")
    assert put is not None
    assert put.method_mismatch
    assert routes.find([rule], "nowhere.example.com", "/", "GET") is None
    none = routes.find([_rule([], ["orders.example.com"])], "orders.example.com", "/x", "GET")
    assert none is not None
    assert none.rule is None
