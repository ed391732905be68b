"""handlers.kube against an emulated API server, through a kubeconfig and the official client."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from handlers import kube as k8s
from handlers.core.check import CheckContext
from handlers.core.model import Severity
from handlers.core.settings import Settings
from tests.fakes.kube import FakeKube, kube_fixture, write_kubeconfig  # noqa: F401

SECRET = "s3cr3t+value/with=chars"


async def test_read_secret_decodes_and_registers_values_with_redactor(kube: FakeKube) -> None:
    kube.add_secret("apps", "creds", {"client_id": "my-client", "client_secret": SECRET + "\n"})
    ctx = kube.context()
    data = await k8s.read_secret(ctx, "apps", "creds")
    assert data == {"client_id": "my-client", "client_secret": SECRET + "\n"}
    assert ctx.redactor.leaks(f"the secret is {SECRET}")
    assert SECRET not in ctx.redactor.text(f"the secret is {SECRET}")


async def test_client_is_built_once_per_context(kube: FakeKube) -> None:
    kube.add_secret("apps", "creds", {"a": "b"})
    ctx = kube.context()
    await k8s.read_secret(ctx, "apps", "creds")
    first = ctx.kube
    await k8s.read_secret(ctx, "apps", "creds")
    assert first is not None
    assert ctx.kube is first
    assert first.source == f"kubeconfig {kube.kubeconfig}"


async def test_custom_objects_get_and_list_across_namespaces(kube: FakeKube) -> None:
    for ns in ("a", "b"):
        kube.add_object(
            "hydra.ory.sh",
            "v1alpha1",
            "oauth2clients",
            {
                "apiVersion": "hydra.ory.sh/v1alpha1",
                "kind": "OAuth2Client",
                "metadata": {"name": "c", "namespace": ns},
                "spec": {"secretName": f"s-{ns}"},
            },
        )
    ctx = kube.context()
    one = await k8s.get_custom_object(ctx, "hydra.ory.sh", "v1alpha1", "b", "oauth2clients", "c")
    assert one["spec"]["secretName"] == "s-b"
    every = await k8s.list_custom_objects(ctx, "hydra.ory.sh", "v1alpha1", "", "oauth2clients")
    assert sorted(o["metadata"]["namespace"] for o in every) == ["a", "b"]
    only_a = await k8s.list_custom_objects(ctx, "hydra.ory.sh", "v1alpha1", "a", "oauth2clients")
    assert [o["spec"]["secretName"] for o in only_a] == ["s-a"]


async def test_pods_by_label_and_their_logs(kube: FakeKube) -> None:
    kube.add_pod(
        "kyma-system",
        "hm-1",
        {"app.kubernetes.io/name": "hydra-maester"},
        container="hydra-maester",
        restarts=3,
        logs="line one\nline two\n",
    )
    kube.add_pod("kyma-system", "hydra-0", {"app.kubernetes.io/name": "hydra"})
    ctx = kube.context()
    pods = await k8s.list_pods(ctx, "kyma-system", "app.kubernetes.io/name=hydra-maester")
    assert [p["metadata"]["name"] for p in pods] == ["hm-1"]
    assert pods[0]["status"]["containerStatuses"][0]["restartCount"] == 3
    text = await k8s.pod_logs(ctx, "kyma-system", "hm-1", "hydra-maester")
    assert text.splitlines() == ["line one", "line two"]


async def test_not_found_is_its_own_error(kube: FakeKube) -> None:
    with pytest.raises(k8s.KubeNotFound, match="secrets missing not found in namespace apps"):
        await k8s.read_secret(kube.context(), "apps", "missing")


@pytest.mark.parametrize(
    ("verb", "resource", "group"),
    [("get", "secrets", ""), ("get", "pods/log", ""), ("list", "oauth2clients", "hydra.ory.sh")],
)
async def test_forbidden_names_the_missing_permission(
    kube: FakeKube, verb: str, resource: str, group: str
) -> None:
    version = "v1alpha1" if group else "v1"
    kube.forbid(verb, resource, "locked", group=group, version=version)
    ctx = kube.context()
    if resource == "secrets":
        call = k8s.read_secret(ctx, "locked", "creds")
    elif resource == "pods/log":
        call = k8s.pod_logs(ctx, "locked", "p", "c")
    else:
        call = k8s.list_custom_objects(ctx, group, version, "locked", resource)
    with pytest.raises(k8s.KubeForbidden) as info:
        await call
    exc = info.value
    assert (exc.verb, exc.resource, exc.group, exc.namespace) == (verb, resource, group, "locked")
    finding = k8s.error_finding("x", exc)
    assert finding.status is Severity.ERROR
    assert f'resources: ["{resource}"]' in finding.remedy
    assert f'verbs: ["{verb}"]' in finding.remedy
    assert "`locked`" in finding.title
    assert "not found" not in finding.title.lower()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_unreachable_api_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    path = write_kubeconfig(tmp_path / "kc", f"http://127.0.0.1:{_closed_port()}")
    ctx = CheckContext(settings=Settings(kubeconfig=str(path), timeout=2))
    with pytest.raises(k8s.KubeUnreachable, match="could not reach the API server to get secrets"):
        await k8s.read_secret(ctx, "apps", "creds")


async def test_not_configured_is_an_error_with_instructions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.kube/config to fall back on
    ctx = CheckContext(settings=Settings(kubeconfig=None))
    with pytest.raises(k8s.KubeNotConfigured) as info:
        await k8s.read_secret(ctx, "apps", "creds")
    finding = k8s.error_finding("x", info.value, subject="Secret apps/creds")
    # Could not check is never exit 0: an error, with what would make it work.
    assert finding.status is Severity.ERROR
    assert finding.title == "Could not check Secret apps/creds: Kubernetes is not configured"
    assert "KUBECONFIG" in finding.remedy

    missing = CheckContext(settings=Settings(kubeconfig=str(tmp_path / "nope")))
    with pytest.raises(k8s.KubeNotConfigured, match="not a readable file"):
        await k8s.read_secret(missing, "apps", "creds")


async def test_in_cluster_config_is_preferred(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kube: FakeKube
) -> None:
    """With KUBERNETES_SERVICE_HOST set, the ServiceAccount is used even if KUBECONFIG is set;
    without its token files that is reported as not configured, not as a crash."""
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "1")
    with pytest.raises(k8s.KubeNotConfigured, match="in-cluster"):
        await k8s.read_secret(kube.context(), "apps", "creds")


async def test_public_keys_are_not_scrubbed(kube: FakeKube) -> None:
    kube.add_secret("apps", "creds", {"CLIENT_ID": "orders-client-id", "CLIENT_SECRET": SECRET})
    ctx = kube.context()
    await k8s.read_secret(ctx, "apps", "creds", public_keys=("CLIENT_ID",))
    assert ctx.redactor.text("id orders-client-id") == "id orders-client-id"
    assert SECRET not in ctx.redactor.text(SECRET)
