"""The reads the checks make: Secrets (decoded, every value registered with the redactor), custom
resources, pods and their logs, each as plain JSON (camelCase keys, as kubectl shows them)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from handlers.kube.access import KubeAccess, api_call

if TYPE_CHECKING:
    from handlers.core.check import CheckContext


def _decode(raw: str) -> str:
    """Secret data is base64; binary values (rare here) are kept as replacement characters."""
    try:
        return base64.b64decode(raw, validate=False).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return ""


async def read_secret(
    ctx: CheckContext, namespace: str, name: str, *, public_keys: Collection[str] = ()
) -> dict[str, str]:
    """Decoded data of a Secret; every value is registered with the redactor before returning.

    `public_keys` names keys whose values are not secret and are needed in the report (a client
    id, a token URL); everything else is scrubbed from any output, even if a check slips.
    """
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        return client.CoreV1Api(kube.api_client).read_namespaced_secret(
            name, namespace, _request_timeout=timeout
        )

    secret = await api_call(
        ctx, call, verb="get", resource="secrets", namespace=namespace, name=name
    )
    data: dict[str, str] = {}
    for key, raw in (secret.data or {}).items():
        value = _decode(raw or "")
        if key not in public_keys:
            ctx.redactor.add(value)
            ctx.redactor.add(value.strip())
        data[key] = value
    return data


async def get_custom_object(
    ctx: CheckContext, group: str, version: str, namespace: str, plural: str, name: str
) -> dict[str, Any]:
    """One custom resource as plain JSON (camelCase keys, as kubectl shows it)."""
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        return client.CustomObjectsApi(kube.api_client).get_namespaced_custom_object(
            group, version, namespace, plural, name, _request_timeout=timeout
        )

    obj = await api_call(
        ctx, call, verb="get", resource=plural, group=group, namespace=namespace, name=name
    )
    return dict(obj) if isinstance(obj, dict) else {}


async def list_custom_objects(
    ctx: CheckContext, group: str, version: str, namespace: str, plural: str
) -> list[dict[str, Any]]:
    """Every custom resource of a kind in a namespace, or in all namespaces when it is ""."""
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        api = client.CustomObjectsApi(kube.api_client)
        if namespace:
            return api.list_namespaced_custom_object(
                group, version, namespace, plural, _request_timeout=timeout
            )
        return api.list_cluster_custom_object(group, version, plural, _request_timeout=timeout)

    result = await api_call(
        ctx, call, verb="list", resource=plural, group=group, namespace=namespace
    )
    items = result.get("items") if isinstance(result, dict) else None
    return [dict(i) for i in items or [] if isinstance(i, dict)]


async def list_pods(ctx: CheckContext, namespace: str, label_selector: str) -> list[dict[str, Any]]:
    """Pods matching a label selector, as plain JSON (camelCase keys)."""
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        pods = client.CoreV1Api(kube.api_client).list_namespaced_pod(
            namespace, label_selector=label_selector, _request_timeout=timeout
        )
        return kube.api_client.sanitize_for_serialization(pods)

    result = await api_call(ctx, call, verb="list", resource="pods", namespace=namespace)
    items = result.get("items") if isinstance(result, dict) else None
    return [dict(i) for i in items or [] if isinstance(i, dict)]


async def pod_logs(
    ctx: CheckContext,
    namespace: str,
    pod: str,
    container: str,
    since_seconds: int | None = 3600,
    tail_lines: int | None = 2000,
) -> str:
    """Recent log text of one container (needs `get pods/log`)."""
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        kwargs: dict[str, Any] = {"container": container, "_request_timeout": timeout}
        if since_seconds is not None:
            kwargs["since_seconds"] = since_seconds
        if tail_lines is not None:
            kwargs["tail_lines"] = tail_lines
        return client.CoreV1Api(kube.api_client).read_namespaced_pod_log(pod, namespace, **kwargs)

    text = await api_call(ctx, call, verb="get", resource="pods/log", namespace=namespace, name=pod)
    return text if isinstance(text, str) else str(text or "")
