"""The rendered RBAC gives the checks exactly what they need: read-only, narrow, switchable.

Besides rule-level assertions (no wildcards, no write verbs), `Access` evaluates the rendered
Roles and bindings the way the API server's RBAC authorizer would, so the tests can ask the
question that matters: "may the worker do X in namespace Y?".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.ship.helmchart import NAMESPACE, RELEASE, VARIANTS, Doc, Rendered, render

READ_VERBS = {"get", "list", "watch"}
WORKER_SA = f"{RELEASE}-worker"
BOT_SA = f"{RELEASE}-bot"


@dataclass(frozen=True)
class Request:
    verb: str
    group: str
    resource: str
    namespace: str | None
    name: str | None = None


class Access:
    """Which requests a ServiceAccount's bindings allow (RBAC is purely additive)."""

    def __init__(self, rendered: Rendered, sa: str, sa_namespace: str = NAMESPACE) -> None:
        roles = {
            (d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d
            for d in rendered.docs
            if d["kind"] in {"Role", "ClusterRole"}
        }
        # (namespace the grant applies in, or None for cluster-wide; rule)
        self.grants: list[tuple[str | None, Doc]] = []
        for binding in rendered.docs:
            if binding["kind"] not in {"RoleBinding", "ClusterRoleBinding"}:
                continue
            if not any(
                s["kind"] == "ServiceAccount"
                and s["name"] == sa
                and s.get("namespace") == sa_namespace
                for s in binding.get("subjects", [])
            ):
                continue
            ref = binding["roleRef"]
            scope = binding["metadata"].get("namespace")
            role_ns = scope if ref["kind"] == "Role" else None
            role = roles[(ref["kind"], role_ns, ref["name"])]
            self.grants.extend((scope, rule) for rule in role["rules"])

    def allows(self, req: Request) -> bool:
        for scope, rule in self.grants:
            if scope is not None and scope != req.namespace:
                continue
            if (
                req.verb in rule["verbs"]
                and req.group in rule["apiGroups"]
                and req.resource in rule["resources"]
                and (not rule.get("resourceNames") or req.name in rule["resourceNames"])
            ):
                return True
        return False


def rules_of(rendered: Rendered) -> list[tuple[Doc, Doc]]:
    return [
        (d, r) for d in rendered.docs if d["kind"] in {"Role", "ClusterRole"} for r in d["rules"]
    ]


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest) -> Rendered:
    return render(VARIANTS[request.param])


def test_no_wildcards_and_only_read_verbs(rendered: Rendered) -> None:
    for role, rule in rules_of(rendered):
        where = f"{role['kind']}/{role['metadata']['name']}"
        for field in ("apiGroups", "resources", "verbs", "resourceNames"):
            assert all("*" not in v for v in rule.get(field, [])), (where, rule)
        assert set(rule["verbs"]) <= READ_VERBS, (where, rule)
        assert "nonResourceURLs" not in rule, where
        assert rule["resources"], where


def test_no_role_reaches_beyond_the_documented_resources(rendered: Rendered) -> None:
    allowed = {
        ("", "secrets"),
        ("", "pods"),
        ("", "pods/log"),
        ("hydra.ory.sh", "oauth2clients"),
        ("gateway.kyma-project.io", "apirules"),
    }
    for _, rule in rules_of(rendered):
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                assert (group, resource) in allowed, rule


def test_secrets_only_get_and_never_cluster_wide(rendered: Rendered) -> None:
    for role, rule in rules_of(rendered):
        if "secrets" in rule["resources"]:
            assert role["kind"] == "Role", "Secrets must never be granted by a ClusterRole"
            assert rule["verbs"] == ["get"], "list/watch would reveal every Secret's contents"


def test_every_binding_targets_the_worker_and_an_existing_role(rendered: Rendered) -> None:
    role_keys = {
        (d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
        for d in rendered.docs
        if d["kind"] in {"Role", "ClusterRole"}
    }
    for binding in rendered.docs:
        if binding["kind"] not in {"RoleBinding", "ClusterRoleBinding"}:
            continue
        ref = binding["roleRef"]
        ns = binding["metadata"].get("namespace") if ref["kind"] == "Role" else None
        assert (ref["kind"], ns, ref["name"]) in role_keys
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": WORKER_SA, "namespace": NAMESPACE}
        ]
    assert not Access(rendered, BOT_SA).grants, "the bot's own account must have no permissions"


def test_default_install_grants_exactly_the_kyma_reads() -> None:
    access = Access(render(), WORKER_SA)
    for ns in ("default", "orders", "kyma-system"):
        for verb in ("get", "list"):
            assert access.allows(Request(verb, "hydra.ory.sh", "oauth2clients", ns, "c"))
            assert access.allows(Request(verb, "gateway.kyma-project.io", "apirules", ns, "r"))
        assert not access.allows(Request("get", "", "secrets", ns, "anything"))
        assert not access.allows(Request("delete", "gateway.kyma-project.io", "apirules", ns, "r"))
        assert not access.allows(Request("watch", "hydra.ory.sh", "oauth2clients", ns))
    assert access.allows(Request("list", "", "pods", "kyma-system"))
    assert access.allows(Request("get", "", "pods/log", "kyma-system", "hydra-maester-0"))
    assert not access.allows(Request("get", "", "pods", "kyma-system", "hydra-maester-0"))
    assert not access.allows(Request("list", "", "pods", "default"))
    assert not access.allows(Request("get", "", "pods/log", "default", "app-0"))
    assert not access.allows(Request("create", "", "pods/exec", "kyma-system", "x"))


def test_secrets_are_readable_only_in_configured_namespaces_and_names() -> None:
    access = Access(render(VARIANTS["secret-resource-names"]), WORKER_SA)
    assert access.allows(Request("get", "", "secrets", "team-a", "xsuaa-binding"))
    assert access.allows(Request("get", "", "secrets", "team-a", "orders-client"))
    assert not access.allows(Request("get", "", "secrets", "team-a", "db-password"))
    assert access.allows(Request("get", "", "secrets", "team-b", "db-password"))
    for ns in ("team-c", NAMESPACE, "kube-system", "kyma-system"):
        assert not access.allows(Request("get", "", "secrets", ns, "xsuaa-binding"))
    for ns in ("team-a", "team-b"):
        assert not access.allows(Request("list", "", "secrets", ns))


def test_multiple_namespaces_get_one_role_and_binding_each() -> None:
    rendered = render(VARIANTS["multi-namespace"])
    secret_roles = {
        d["metadata"]["namespace"]
        for d in rendered.kind("Role")
        if any("secrets" in r["resources"] for r in d["rules"])
    }
    assert secret_roles == {"team-a", "team-b", "team-c", "ory"}
    bound = {d["metadata"]["namespace"] for d in rendered.kind("RoleBinding")}
    assert {"team-a", "team-b", "team-c", "ory"} <= bound
    assert not rendered.kind("ClusterRole"), "resourceNamespaces set: no cluster-wide reads"

    access = Access(rendered, WORKER_SA)
    for ns in ("team-a", "team-b"):
        assert access.allows(Request("list", "gateway.kyma-project.io", "apirules", ns))
        assert access.allows(Request("get", "hydra.ory.sh", "oauth2clients", ns, "c"))
    assert not access.allows(Request("list", "gateway.kyma-project.io", "apirules", "team-c"))
    # Hydra lives in "ory" here: its pods, and only there.
    assert access.allows(Request("list", "", "pods", "ory"))
    assert not access.allows(Request("list", "", "pods", "kyma-system"))
    # The introspection client's Secret: that one name only.
    assert access.allows(Request("get", "", "secrets", "ory", "introspector"))
    assert not access.allows(Request("get", "", "secrets", "ory", "hydra"))


CHECK_PERMISSIONS: dict[str, list[Request]] = {
    "client": [Request("get", "hydra.ory.sh", "oauth2clients", "team-a", "c")],
    "apirule": [Request("list", "gateway.kyma-project.io", "apirules", "team-a")],
    "hydra": [],  # shares pods/log with client: see the pair test below
    "binding": [],  # shares secrets with client: see the pair test below
}


@pytest.mark.parametrize("check", sorted(CHECK_PERMISSIONS))
def test_switching_one_check_off_removes_only_its_permissions(check: str) -> None:
    base: dict[str, Any] = {"rbac": {"secretNamespaces": ["team-a"]}}
    on = Access(render(base), WORKER_SA)
    off = Access(render({**base, "checks": {check: {"enabled": False}}}), WORKER_SA)
    for req in CHECK_PERMISSIONS[check]:
        assert on.allows(req)
        assert not off.allows(req)
    # What other checks still need stays.
    for other, reqs in CHECK_PERMISSIONS.items():
        if other != check:
            assert all(off.allows(r) for r in reqs), other


@pytest.mark.parametrize(
    ("pair", "lost"),
    [
        (("client", "binding"), Request("get", "", "secrets", "team-a", "s")),
        (("client", "hydra"), Request("get", "", "pods/log", "kyma-system", "hydra-0")),
        (("client", "hydra"), Request("list", "", "pods", "kyma-system")),
    ],
)
def test_shared_permissions_go_when_every_check_using_them_is_off(
    pair: tuple[str, str], lost: Request
) -> None:
    base: dict[str, Any] = {"rbac": {"secretNamespaces": ["team-a"]}}
    for single in pair:
        one_off = Access(render({**base, "checks": {single: {"enabled": False}}}), WORKER_SA)
        assert one_off.allows(lost), f"{lost} is still needed by the other check"
    both_off = {c: {"enabled": False} for c in pair}
    assert not Access(render({**base, "checks": both_off}), WORKER_SA).allows(lost)


def test_all_checks_off_leaves_no_rbac_at_all() -> None:
    rendered = render(VARIANTS["checks-off"])
    assert not [d for d in rendered.docs if d["kind"].endswith(("Role", "RoleBinding"))]


def test_rbac_create_false_renders_no_rbac() -> None:
    rendered = render({"rbac": {"create": False, "secretNamespaces": ["team-a"]}})
    assert not [d for d in rendered.docs if "Role" in d["kind"]]


def test_only_pods_running_checks_mount_a_token() -> None:
    for name, values in VARIANTS.items():
        rendered = render(values)
        for workload in rendered.workloads():
            pod = workload["spec"]["template"]["spec"]
            component = workload["metadata"]["labels"]["app.kubernetes.io/component"]
            runs_checks = component == "worker" or (
                component == "bot" and not values.get("worker", {}).get("enabled", True)
            )
            assert pod["automountServiceAccountToken"] is runs_checks, (name, component)
            if runs_checks:
                assert pod["serviceAccountName"] == WORKER_SA, name
