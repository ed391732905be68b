"""The optional KEDA autoscaling of the worker: off by default; when on, a ScaledObject whose
`redis-streams` trigger reads the stream and consumer group the code uses, reaches the Redis the
worker uses with that Redis' own password Secret, and owns the worker's replica count.

KEDA's custom resources have no schema in kubernetes-validate, so their shape is checked here by
hand (field names and types as KEDA's keda.sh/v1alpha1 CRDs define them); lint and the
Kubernetes schemas cover the rest through the `keda` variants in helmchart.VARIANTS.
"""

from __future__ import annotations

import re
from typing import Any

import helm_python as helm
import pytest

from bot.jobs.redis_queue import GROUP, STREAM
from tests.ship.helmchart import NAMESPACE, RELEASE, VARIANTS, Rendered, container, env_of, render

SCALED_OBJECT_SPEC = {
    "scaleTargetRef",
    "minReplicaCount",
    "maxReplicaCount",
    "pollingInterval",
    "cooldownPeriod",
    "triggers",
}
TRIGGER_KEYS = {"type", "metadata", "authenticationRef"}
WORKER = f"{RELEASE}-worker"


def _scaled(rendered: Rendered) -> dict[str, Any]:
    (scaled,) = rendered.kind("ScaledObject")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    return scaled


def _trigger(rendered: Rendered) -> dict[str, Any]:
    (trigger,) = _scaled(rendered)["spec"]["triggers"]
    return trigger


def test_off_by_default_and_the_worker_keeps_its_replicas() -> None:
    rendered = render()
    assert rendered.kind("ScaledObject") == []
    assert rendered.kind("TriggerAuthentication") == []
    assert rendered.get("Deployment", WORKER)["spec"]["replicas"] == 2


def test_scaled_object_has_keda_shape_and_targets_the_worker() -> None:
    rendered = render(VARIANTS["keda"])
    scaled = _scaled(rendered)
    spec = scaled["spec"]
    assert set(spec) <= SCALED_OBJECT_SPEC
    assert scaled["metadata"]["namespace"] == NAMESPACE
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": WORKER}
    assert rendered.get("Deployment", WORKER)
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (2, 6)
    for field in ("minReplicaCount", "maxReplicaCount", "pollingInterval", "cooldownPeriod"):
        assert isinstance(spec[field], int), field
    trigger = _trigger(rendered)
    assert set(trigger) <= TRIGGER_KEYS
    assert trigger["type"] == "redis-streams"
    metadata = trigger["metadata"]
    assert all(isinstance(v, str) for v in metadata.values()), "KEDA metadata is map[string]string"
    # What the code reads with: a renamed stream or group would scale on nothing.
    assert (metadata["stream"], metadata["consumerGroup"]) == (STREAM, GROUP)
    assert int(metadata["pendingEntriesCount"]) < int(
        env_of(container(rendered, "worker"))["AUTHCHECK_WORKER_CONCURRENCY"]["value"]
    ), "a replica with every lane busy must ask for more"
    assert "replicas" not in rendered.get("Deployment", WORKER)["spec"], "KEDA's HPA owns it"


def test_bundled_redis_is_reached_with_its_own_password_secret() -> None:
    rendered = render(VARIANTS["keda"])
    trigger = _trigger(rendered)
    host, port = trigger["metadata"]["address"].rsplit(":", 1)
    service = rendered.get("Service", f"{RELEASE}-redis")
    assert host == f"{service['metadata']['name']}.{NAMESPACE}.svc"
    assert int(port) in {p["port"] for p in service["spec"]["ports"]}
    assert trigger["metadata"]["enableTLS"] == "false"
    (auth,) = rendered.kind("TriggerAuthentication")
    assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}
    (ref,) = auth["spec"]["secretTargetRef"]
    worker_password = env_of(container(rendered, "worker"))["REDIS_PASSWORD"]["valueFrom"]
    assert ref["parameter"] == "password"
    assert {"name": ref["name"], "key": ref["key"]} == worker_password["secretKeyRef"]
    assert "password" not in str(trigger["metadata"]).lower(), "no password in the trigger"


def test_keda_operator_may_reach_the_bundled_redis_and_nothing_else_changes() -> None:
    policy = render(VARIANTS["keda"]).get("NetworkPolicy", f"{RELEASE}-redis")
    sources = [rule["from"] for rule in policy["spec"]["ingress"]]
    keda = [s for s in sources if s[0].get("namespaceSelector", {}).get("matchLabels", {}) != {}]
    assert keda == [
        [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}}}]
    ]
    default = render().get("NetworkPolicy", f"{RELEASE}-redis")
    assert len(default["spec"]["ingress"]) == len(sources) - 1


def test_external_redis_uses_the_given_address_tls_and_password_secret() -> None:
    rendered = render(VARIANTS["keda-external-redis"])
    metadata = _trigger(rendered)["metadata"]
    assert metadata["address"] == "redis.example.internal:6380"
    assert metadata["enableTLS"] == "true"
    (auth,) = rendered.kind("TriggerAuthentication")
    assert auth["spec"]["secretTargetRef"] == [
        {"parameter": "password", "name": "redis-auth", "key": "redis-password"}
    ]
    without = render(
        {
            "redis": {"bundled": False, "url": "redis://redis.example.internal:6379/0"},
            "autoscaling": {"keda": {"enabled": True, "address": "redis.example.internal:6379"}},
        }
    )
    assert without.kind("TriggerAuthentication") == []
    assert "authenticationRef" not in _trigger(without)


def test_pdb_follows_the_autoscaler_minimum() -> None:
    assert render(VARIANTS["keda"]).kind("PodDisruptionBudget")  # minReplicas 2
    one = render({"autoscaling": {"keda": {"enabled": True, "minReplicas": 1}}})
    assert one.kind("PodDisruptionBudget") == [], "a PDB of 1 on 1 replica would block drains"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"worker": {"enabled": False}, "bot": {"embeddedWorker": True}},
            "needs worker.enabled=true",
        ),
        ({"redis": {"bundled": False, "url": "redis://r:6379/0"}}, "autoscaling.keda.address"),
        ({"autoscaling": {"keda": {"minReplicas": 5, "maxReplicas": 2}}}, "minReplicas"),
    ],
)
def test_inconsistent_keda_values_fail_with_one_clear_sentence(
    values: dict[str, Any], message: str
) -> None:
    merged = {**values, "autoscaling": {"keda": {"enabled": True}}}
    if "autoscaling" in values:
        merged["autoscaling"]["keda"].update(values["autoscaling"]["keda"])
    with pytest.raises(helm.HelmRenderError, match=re.escape(message)):
        render(merged)


@pytest.mark.parametrize(
    "keda",
    [
        {"pendingEntriesPerReplica": 0},
        {"address": "redis://redis:6379"},
        {"maxReplicas": 0},
        {"operatorNamespace": "Not_A_Namespace"},
        {"scaleOnEverything": True},
    ],
)
def test_schema_rejects_bad_keda_values(keda: dict[str, Any]) -> None:
    with pytest.raises(helm.HelmValuesError):
        render({"autoscaling": {"keda": {"enabled": True, **keda}}})
