"""Kubernetes objects the scenarios put into the emulated API server (shapes as in DOMAIN.md)."""

from __future__ import annotations

from typing import Any

from tests.fakes.kube import FakeKube

GATEWAY = "gateway.kyma-project.io"
MAESTER_LABELS = {"app.kubernetes.io/name": "hydra-maester"}
ENDPOINT_404_LOG = (
    "2026-11-25T09:58:00.000Z\tERROR\tcontrollers.OAuth2Client\terror processing client "
    'orders-client/apps\t{"oauth2client": "apps/orders-client", "error": "POST '
    "http://ory-hydra-admin.kyma-system.svc.cluster.local:4445/clients returned unexpected "
    'status code: 404 page not found"}\n'
)
OK_LOG = (
    "2026-11-25T09:58:00.000Z\tDEBUG\tcontroller-runtime.controller\tSuccessfully Reconciled\t"
    '{"controller": "oauth2client", "request": "apps/orders-client"}\n'
)


def v2_rule(
    issuer: str,
    jwks_url: str,
    *,
    scopes: list[str] | None = None,
    audiences: list[str] | None = None,
    host: str = "127.0.0.1",
) -> dict[str, Any]:
    authorization: dict[str, Any] = {}
    if scopes:
        authorization["requiredScopes"] = scopes
    if audiences:
        authorization["audiences"] = audiences
    return {
        "apiVersion": f"{GATEWAY}/v2",
        "kind": "APIRule",
        "metadata": {"name": "orders", "namespace": "apps"},
        "spec": {
            "hosts": [host],
            "gateway": "kyma-system/kyma-gateway",
            "service": {"name": "orders", "port": 8080},
            "rules": [
                {"path": "/health", "methods": ["GET"], "noAuth": True},
                {
                    "path": "/orders/{**}",
                    "methods": ["GET", "POST"],
                    "jwt": {
                        "authentications": [{"issuer": issuer, "jwksUri": jwks_url}],
                        "authorizations": [authorization] if authorization else [],
                    },
                },
            ],
        },
        "status": {"state": "Ready", "description": ""},
    }


def v1beta1_introspection_rule(
    introspection_url: str, *, scopes: list[str] | None = None, host: str = "127.0.0.1"
) -> dict[str, Any]:
    return {
        "apiVersion": f"{GATEWAY}/v1beta1",
        "kind": "APIRule",
        "metadata": {"name": "orders", "namespace": "apps"},
        "spec": {
            "host": host,
            "gateway": "kyma-system.kyma-gateway",
            "service": {"name": "orders", "namespace": "apps", "port": 8080},
            "rules": [
                {
                    "path": "/orders/.*",
                    "methods": ["GET"],
                    "accessStrategies": [
                        {
                            "handler": "oauth2_introspection",
                            "config": {
                                "required_scope": scopes or [],
                                "introspection_url": introspection_url,
                            },
                        }
                    ],
                }
            ],
        },
        "status": {"APIRuleStatus": {"code": "OK", "desc": ""}},
    }


def add_rule(kube: FakeKube, rule: dict[str, Any]) -> None:
    version = rule["apiVersion"].rpartition("/")[2]
    kube.add_object(GATEWAY, version, "apirules", rule)


def add_client(
    kube: FakeKube,
    secret: str,
    *,
    client_id: str = "orders-client",
    ns: str = "apps",
    name: str = "orders-client",
    audience: list[str] | None = None,
) -> None:
    """An OAuth2Client resource and the Secret hydra-maester wrote for it."""
    kube.add_object(
        "hydra.ory.sh",
        "v1alpha1",
        "oauth2clients",
        {
            "apiVersion": "hydra.ory.sh/v1alpha1",
            "kind": "OAuth2Client",
            "metadata": {"name": name, "namespace": ns},
            "spec": {
                "grantTypes": ["client_credentials"],
                "scope": "read",
                "audience": audience or ["orders"],
                "secretName": f"{name}-creds",
            },
            "status": {"conditions": [{"type": "Ready", "status": "True"}]},
        },
    )
    kube.add_secret(ns, f"{name}-creds", {"CLIENT_ID": client_id, "CLIENT_SECRET": secret})


def add_maester(kube: FakeKube, endpoint: str, logs: str) -> None:
    kube.add_pod(
        "kyma-system",
        "hydra-maester-7d9f",
        MAESTER_LABELS,
        container="hydra-maester",
        logs=logs,
        args=[
            "--hydra-url=http://ory-hydra-admin.kyma-system",
            "--hydra-port=4445",
            f"--endpoint={endpoint}",
        ],
    )
