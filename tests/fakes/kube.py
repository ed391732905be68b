"""An emulated Kubernetes API over real HTTP (kmock) and a kubeconfig pointing at it.

Checks reach it through the official `kubernetes` client exactly as in a cluster: the fake only
stores objects and answers the way the API server does (JSON Status bodies for 403/404, text/plain
pod logs, label selectors on pod lists). Use the `kube` fixture:

    from tests.fakes.kube import kube_fixture  # noqa: F401  (registers the `kube` fixture)

    async def test_x(kube: FakeKube) -> None:
        kube.add_secret("ns", "creds", {"client_id": "abc"})
        ctx = kube.context()
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import kmock
import pytest
import pytest_asyncio
import yaml

from handlers.core.check import CheckContext
from handlers.core.settings import Settings

CORE = ("", "v1")


def _selector_matches(selector: str, labels: Mapping[str, str]) -> bool:
    """Equality-based selectors (`a=b,c!=d`, bare `key` for existence): what the checks use."""
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term not in labels:
            return False
    return True


def forbidden_status(
    verb: str, resource: str, group: str, namespace: str, name: str
) -> dict[str, Any]:
    """The API server's 403 body, word for word."""
    user = "system:serviceaccount:authcheck:authcheck"
    what = f'{resource} "{name}"' if name else resource
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'{what} is forbidden: User "{user}" cannot {verb} resource "{resource}" '
        f'in API group "{group}" {scope}',
        "reason": "Forbidden",
        "details": {"name": name, "kind": resource},
        "code": 403,
    }


class FakeKube:
    """State and knobs of one emulated cluster."""

    def __init__(self, emulator: kmock.KubernetesEmulator, url: str, kubeconfig: Path) -> None:
        self.emulator = emulator
        self.url = url
        self.kubeconfig = kubeconfig
        self.pods: dict[tuple[str, str], dict[str, Any]] = {}
        self.emulator["list", kmock.resource(*CORE, "pods")] << self._list_pods

    # -- objects ---------------------------------------------------------------------------
    def add_secret(self, namespace: str, name: str, data: Mapping[str, str | bytes]) -> None:
        encoded = {
            k: base64.b64encode(v.encode() if isinstance(v, str) else v).decode()
            for k, v in data.items()
        }
        self.emulator.objects[kmock.resource(*CORE, "secrets"), namespace, name] = {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace},
            "data": encoded,
        }

    def add_object(
        self, group: str, version: str, plural: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        meta = body.setdefault("metadata", {})
        meta.setdefault("generation", 1)
        meta.setdefault("uid", f"uid-{meta['namespace']}-{meta['name']}")
        self.emulator.objects[
            kmock.resource(group, version, plural), meta["namespace"], meta["name"]
        ] = body
        return body

    def add_pod(
        self,
        namespace: str,
        name: str,
        labels: Mapping[str, str],
        *,
        container: str = "main",
        ready: bool = True,
        restarts: int = 0,
        waiting_reason: str | None = None,
        last_terminated_reason: str | None = None,
        logs: str | None = None,
        args: list[str] | None = None,
    ) -> None:
        state: dict[str, Any] = (
            {"waiting": {"reason": waiting_reason}}
            if waiting_reason
            else {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
        )
        status: dict[str, Any] = {
            "name": container,
            "ready": ready,
            "restartCount": restarts,
            "image": f"example/{container}:v1",
            "imageID": "",
            "started": ready,
            "state": state,
        }
        if last_terminated_reason:
            status["lastState"] = {"terminated": {"reason": last_terminated_reason, "exitCode": 1}}
        self.pods[(namespace, name)] = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
            "spec": {
                "containers": [
                    {"name": container, "image": f"example/{container}:v1", "args": args or []}
                ]
            },
            "status": {
                "phase": "Running",
                "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                "containerStatuses": [status],
            },
        }
        if logs is not None:
            self.emulator[
                "get",
                kmock.resource(*CORE, "pods"),
                kmock.subresource("log"),
                kmock.namespace(namespace),
                kmock.name(name),
            ] << kmock.text(logs)

    def add_hydra_pod(
        self, name: str, logs: str, *, namespace: str = "kyma-system", ready: bool = True
    ) -> None:
        """An Ory Hydra pod as the Kyma chart labels it, container `hydra`, with its log text."""
        self.add_pod(
            namespace,
            name,
            {"app.kubernetes.io/name": "hydra", "app.kubernetes.io/instance": "ory"},
            container="hydra",
            ready=ready,
            logs=logs,
            args=["serve", "all", "--dev=false"],
        )

    def _list_pods(self, request: kmock.Request) -> dict[str, Any]:
        selector = request.params.get("labelSelector", "")
        items = [
            pod
            for (ns, _), pod in self.pods.items()
            if (request.namespace is None or ns == request.namespace)
            and _selector_matches(selector, pod["metadata"]["labels"])
        ]
        return {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": items}

    # -- failures --------------------------------------------------------------------------
    def forbid(
        self, verb: str, resource: str, namespace: str, *, group: str = "", version: str = "v1"
    ) -> None:
        """Answers 403 to `verb` on `resource` (e.g. "secrets", "pods/log") in `namespace`."""
        plural, _, sub = resource.partition("/")
        criteria: list[Any] = [
            kmock.resource(group, version, plural),
            kmock.namespace(namespace),
        ]
        if sub:
            criteria.append(kmock.subresource(sub))
        action = {"get": "fetch", "list": "list"}.get(verb, verb)
        body = json.dumps(forbidden_status(verb, resource, group, namespace, "")).encode()
        view = self.emulator[(action, *criteria)] if not sub else self.emulator[("get", *criteria)]
        (view**10) << 403 << kmock.headers({"Content-Type": "application/json"}) << body

    # -- context ---------------------------------------------------------------------------
    def settings(self, **overrides: Any) -> Settings:
        # URLs read from cluster objects (JWKS, binding `url`) go through the SSRF guard, and
        # the fakes they point at listen on loopback.
        values: dict[str, Any] = {"url_allowlist": ["127.0.0.1"], **overrides}
        return Settings(kubeconfig=str(self.kubeconfig), timeout=5, **values)

    def context(self, **overrides: Any) -> CheckContext:
        return CheckContext(settings=self.settings(**overrides))


def write_kubeconfig(path: Path, server: str, token: str = "fake-sa-token-for-tests") -> Path:
    """A kubeconfig as `kubectl config view --raw` would write it, bearer-token user."""
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "fake", "cluster": {"server": server}}],
                "users": [{"name": "authcheck", "user": {"token": token}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "authcheck"}}],
                "current-context": "fake",
            }
        )
    )
    return path


@pytest_asyncio.fixture(name="kube")
async def kube_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeKube]:
    """A running emulated API server; in-cluster detection is switched off for the test."""
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    async with kmock.KubernetesEmulator() as emulator, kmock.Server(emulator) as server:
        url = str(server.url).rstrip("/")
        yield FakeKube(emulator, url, write_kubeconfig(tmp_path / "kubeconfig", url))
