"""Render the Helm chart with Helm's own Go library (helm-python-sdk) and read the result.

No helm binary, no cluster, no network: `Chart.render` runs Helm's template engine (including
values.schema.json validation) in-process from the shared library shipped inside the wheel.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART_DIR = REPO / "helm" / "authcheck"
RELEASE = "authcheck"
NAMESPACE = "ops"

Doc = dict[str, Any]

# Realistic installs a platform team would make; every test over "all variants" covers these.
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "external-redis-url": {
        "redis": {
            "bundled": False,
            "url": "rediss://redis.example.internal:6380/0",
            "externalPort": 6380,
        }
    },
    "external-redis-secret": {
        "redis": {"bundled": False, "existingUrlSecret": {"name": "redis-conn", "key": "url"}}
    },
    "existing-slack-secret": {
        "slack": {
            "existingSecret": "slack-creds",
            "keys": {"botToken": "SLACK_BOT_TOKEN", "signingSecret": "SLACK_SIGNING_SECRET"},
        },
        "jobKey": {"existingSecret": "authcheck-keys", "existingSecretKey": "fernet"},
        "redis": {"auth": {"existingSecret": "redis-auth", "existingSecretKey": "pw"}},
    },
    "created-slack-secret": {
        "slack": {"botToken": "xoxb-111-222-created", "signingSecret": "s1gn1ngs3cr3tvalue"}
    },
    "socket-mode": {
        "slack": {"mode": "socket", "botToken": "xoxb-333-444-sock", "appToken": "xapp-1-A0-sock"}
    },
    "checks-off": {
        "checks": {
            "client": {"enabled": False},
            "apirule": {"enabled": False},
            "binding": {"enabled": False},
            "hydra": {"enabled": False},
        },
        "rbac": {"secretNamespaces": ["team-a"]},
    },
    "secret-resource-names": {
        "rbac": {
            "secretNamespaces": [
                {"namespace": "team-a", "resourceNames": ["xsuaa-binding", "orders-client"]},
                "team-b",
            ]
        }
    },
    "multi-namespace": {
        "rbac": {
            "secretNamespaces": ["team-a", "team-b", "team-c"],
            "resourceNamespaces": ["team-a", "team-b"],
        },
        "config": {"hydraNamespace": "ory", "introspectSecret": "ory/introspector"},
        "worker": {"replicas": 4, "concurrency": 16},
    },
    "kyma": {
        "image": {"repository": "registry.example.com/ops/authcheck", "tag": "0.1.0"},
        "slack": {"existingSecret": "authcheck-slack"},
        "apiRule": {"enabled": True, "host": "authcheck.c-1a2b3c.kyma.ondemand.com"},
        "networkPolicy": {
            "istio": True,
            "ingressFrom": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "istio-system"}
                    }
                }
            ],
            "metricsFrom": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "kyma-system"}
                    }
                }
            ],
        },
        "rbac": {"secretNamespaces": ["orders", "payments"]},
        "config": {
            "allowedChannels": ["C0123", "C0456"],
            "urlAllowlist": ["10.0.0.0/8"],
            "issuer": "https://oauth2.c-1a2b3c.kyma.ondemand.com/",
        },
    },
    "embedded-worker": {"worker": {"enabled": False}, "bot": {"embeddedWorker": True}},
    "keda": {"autoscaling": {"keda": {"enabled": True, "minReplicas": 2, "maxReplicas": 6}}},
    "keda-external-redis": {
        "redis": {"bundled": False, "url": "rediss://redis.example.internal:6380/0"},
        "autoscaling": {
            "keda": {
                "enabled": True,
                "address": "redis.example.internal:6380",
                "enableTLS": True,
                "passwordSecret": {"name": "redis-auth"},
            }
        },
    },
}


@dataclass
class Rendered:
    """The manifests of one render, parsed, with the lookups the tests keep needing."""

    docs: list[Doc]

    def kind(self, kind: str) -> list[Doc]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> Doc:
        found = [d for d in self.kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
        return found[0]

    def has(self, kind: str, name: str) -> bool:
        return any(d["metadata"]["name"] == name for d in self.kind(kind))

    def workloads(self) -> list[Doc]:
        return [d for d in self.docs if d["kind"] in {"Deployment", "StatefulSet"}]

    def containers(self) -> Iterator[tuple[Doc, Doc]]:
        for workload in self.workloads():
            for container in workload["spec"]["template"]["spec"]["containers"]:
                yield workload, container


def render(values: dict[str, Any] | None = None, namespace: str = NAMESPACE) -> Rendered:
    """Render like `helm template authcheck helm/authcheck -n <namespace>` would."""
    with helm.Chart.load(CHART_DIR) as chart:
        manifests = chart.render(values or {}, name=RELEASE, namespace=namespace, is_install=True)
    docs: list[Doc] = []
    for path, text in manifests.items():
        if not path.endswith((".yaml", ".yml")):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return Rendered(docs)


def env_of(container: Doc) -> dict[str, Doc]:
    return {e["name"]: e for e in container.get("env", [])}


def container(rendered: Rendered, component: str) -> Doc:
    deployment = rendered.get("Deployment", f"{RELEASE}-{component}")
    containers: list[Doc] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def lint(values: dict[str, Any] | None = None) -> dict[str, Any]:
    return helm.lint(CHART_DIR, values, strict=True, namespace=NAMESPACE)
