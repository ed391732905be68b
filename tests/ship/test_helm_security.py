"""Secure defaults hold in every variant: pod hardening, probes, labels, NetworkPolicy."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from tests.ship.helmchart import RELEASE, VARIANTS, Doc, Rendered, container, env_of, render

STANDARD_LABELS = {
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest) -> Rendered:
    return render(VARIANTS[request.param])


def test_pods_are_hardened(rendered: Rendered) -> None:
    for workload in rendered.workloads():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] > 0
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert not pod.get("hostNetwork")
        assert not pod.get("hostPID")
        assert not pod.get("hostIPC")
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, c["name"]
            assert sc["allowPrivilegeEscalation"] is False, c["name"]
            assert sc["capabilities"] == {"drop": ["ALL"]}, c["name"]
            assert not sc.get("privileged"), c["name"]
            # A read-only root needs somewhere to write: /tmp on an emptyDir with a size cap.
            mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
            tmp = next(v for v in pod["volumes"] if v["name"] == mounts["/tmp"])
            assert tmp["emptyDir"]["sizeLimit"]


def test_every_container_has_requests_limits_and_probes(rendered: Rendered) -> None:
    for _, c in rendered.containers():
        for kind in ("requests", "limits"):
            assert c["resources"][kind]["memory"], (c["name"], kind)
        assert c["resources"]["requests"]["cpu"], c["name"]
        assert c["livenessProbe"], c["name"]
        assert c["readinessProbe"], c["name"]


def test_app_probes_use_the_contract_endpoints_on_the_health_port(rendered: Rendered) -> None:
    for workload, c in rendered.containers():
        if c["name"] not in {"bot", "worker"}:
            continue
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
        assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
        assert str(ports["health"]) == env_of(c)["AUTHCHECK_HEALTH_PORT"]["value"]
        env = env_of(c)
        assert env["HOME"]["value"] == env["TMPDIR"]["value"] == "/tmp"
        assert env["PYTHONDONTWRITEBYTECODE"]["value"] == "1"
        assert workload["metadata"]["name"] == f"{RELEASE}-{c['name']}"


def test_images_are_pinned(rendered: Rendered) -> None:
    for _, c in rendered.containers():
        image: str = c["image"]
        if "@sha256:" in image:
            continue
        tag = image.rsplit(":", 1)[1]
        assert tag not in {"", "latest"}, image
        assert any(ch.isdigit() for ch in tag), image


def test_every_object_carries_the_standard_labels(rendered: Rendered) -> None:
    for doc in rendered.docs:
        labels = doc["metadata"]["labels"]
        assert labels.keys() >= STANDARD_LABELS, (doc["kind"], doc["metadata"]["name"])
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/instance"] == RELEASE
    for workload in rendered.workloads():
        selector = workload["spec"]["selector"]["matchLabels"]
        pod_labels = workload["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= pod_labels.items()
        assert "app.kubernetes.io/component" in selector, "bot, worker, redis must not overlap"


def test_secret_values_never_appear_outside_secrets() -> None:
    for name in ("created-slack-secret", "socket-mode"):
        values = VARIANTS[name]
        rendered = render(values)
        plain = [v for v in values["slack"].values() if isinstance(v, str) and v]
        for doc in rendered.docs:
            if doc["kind"] == "Secret":
                continue
            text = repr(doc)
            for value in plain:
                assert value not in text, (name, doc["kind"])


# ---------------------------------------------------------------------------------------------
# NetworkPolicy


def _policy(rendered: Rendered, component: str) -> Doc:
    return rendered.get("NetworkPolicy", f"{RELEASE}-{component}")


def _selects(policy: Doc, pod_labels: dict[str, str]) -> bool:
    wanted: dict[str, str] = policy["spec"]["podSelector"]["matchLabels"]
    return wanted.items() <= pod_labels.items()


def _egress_ports(policy: Doc) -> set[int | str]:
    return {p["port"] for rule in policy["spec"]["egress"] for p in rule.get("ports", [])}


def test_every_pod_is_covered_by_a_default_deny_policy(rendered: Rendered) -> None:
    policies = rendered.kind("NetworkPolicy")
    for workload in rendered.workloads():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        mine = [p for p in policies if _selects(p, labels)]
        assert len(mine) == 1, workload["metadata"]["name"]
        assert set(mine[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}


def test_worker_egress_is_dns_redis_https_kube_api_and_hydra() -> None:
    rendered = render()
    worker = _policy(rendered, "worker")
    assert worker["spec"]["ingress"] == [], "nobody calls the worker"
    assert _egress_ports(worker) == {53, 6379, 443, 6443, 4444, 4445}
    rules = worker["spec"]["egress"]
    hydra = next(r for r in rules if any(p["port"] == 4445 for p in r["ports"]))
    assert hydra["to"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kyma-system"}}}
    ]
    redis = next(r for r in rules if any(p["port"] == 6379 for p in r["ports"]))
    assert redis["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "redis"
    # The public-HTTPS rule keeps private ranges and the metadata address out.
    https = next(
        r for r in rules if "ipBlock" in r.get("to", [{}])[0] and "except" in r["to"][0]["ipBlock"]
    )
    excluded = [ipaddress.ip_network(c) for c in https["to"][0]["ipBlock"]["except"]]
    for address in ("169.254.169.254", "10.1.2.3", "192.168.0.1", "172.20.0.1"):
        assert any(ipaddress.ip_address(address) in net for net in excluded), address


def test_bot_reaches_no_cluster_api_and_is_reachable_only_on_its_slack_port() -> None:
    rendered = render()
    bot = _policy(rendered, "bot")
    assert _egress_ports(bot) == {53, 6379, 443}
    assert bot["spec"]["ingress"] == [{"ports": [{"port": "http", "protocol": "TCP"}]}]

    socket = _policy(render(VARIANTS["socket-mode"]), "bot")
    assert socket["spec"]["ingress"] == [], "Socket Mode needs no inbound traffic"


def test_kyma_variant_limits_ingress_and_allows_istiod() -> None:
    rendered = render(VARIANTS["kyma"])
    bot = _policy(rendered, "bot")
    slack_in, metrics_in = bot["spec"]["ingress"]
    istio_ns = {"kubernetes.io/metadata.name": "istio-system"}
    assert slack_in["from"] == [{"namespaceSelector": {"matchLabels": istio_ns}}]
    assert metrics_in["ports"] == [{"port": "health", "protocol": "TCP"}]
    for component in ("bot", "worker", "redis"):
        assert 15012 in _egress_ports(_policy(rendered, component)), component


def test_redis_accepts_only_the_bot_and_the_worker_and_dials_nothing() -> None:
    rendered = render()
    redis = _policy(rendered, "redis")
    assert redis["spec"]["egress"] == []
    sources = {
        rule["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for rule in redis["spec"]["ingress"]
    }
    assert sources == {"bot", "worker"}
    for rule in redis["spec"]["ingress"]:
        assert rule["ports"] == [{"port": 6379, "protocol": "TCP"}]


def test_external_redis_opens_its_port_instead_of_the_bundled_pod() -> None:
    rendered = render(VARIANTS["external-redis-url"])
    assert not rendered.has("NetworkPolicy", f"{RELEASE}-redis")
    ports = _egress_ports(_policy(rendered, "worker"))
    assert 6380 in ports
    assert 6379 not in ports


def test_network_policy_can_be_switched_off() -> None:
    assert not render({"networkPolicy": {"enabled": False}}).kind("NetworkPolicy")


def test_pod_security_defaults_cannot_be_weakened_through_values() -> None:
    import helm_python as helm

    weakened: list[dict[str, Any]] = [
        {"securityContext": {"allowPrivilegeEscalation": True}},
        {"podSecurityContext": {"runAsNonRoot": False}},
        {"bot": {"resources": {"limits": None}}},  # null deletes a default in Helm
    ]
    for values in weakened:
        with pytest.raises(helm.HelmValuesError):
            render(values)
    # Sanity: the same keys with safe values are accepted.
    render({"securityContext": {"allowPrivilegeEscalation": False}})
    assert container(render(), "bot")["securityContext"]["readOnlyRootFilesystem"] is True
