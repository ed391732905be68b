"""hydra-maester's pods and logs: how to find the controller that registers OAuth2Clients.

`hydra` judges its health, `client` reads its lines about one client, `diagnose` wants its
`--endpoint` flags and the 404s it met calling Hydra; all find its pods and read its logs here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from handlers import kube
from handlers.core.check import CheckContext
from handlers.hydra import maester_logs

LABEL = "app.kubernetes.io/name=hydra-maester"
CONTAINER = "hydra-maester"


def pod_name(pod: dict[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("name", ""))


async def pods(ctx: CheckContext, namespace: str) -> list[dict[str, Any]]:
    """hydra-maester's pods in `namespace`; raises `kube.KubeError`."""
    return await kube.list_pods(ctx, namespace, LABEL)


async def logs(ctx: CheckContext, namespace: str, pod: str) -> str:
    """The controller container's recent log; raises `kube.KubeError`."""
    return await kube.pod_logs(ctx, namespace, pod, CONTAINER)


@dataclass
class EndpointFacts:
    """hydra-maester's `--endpoint` flags and the 404 lines it logged calling Hydra."""

    endpoints: list[str] = field(default_factory=list)
    endpoint_404: list[str] = field(default_factory=list)


async def endpoint_facts(
    ctx: CheckContext, namespace: str, found: list[dict[str, Any]]
) -> EndpointFacts:
    """The flags of the pods `found`, and their 404 lines (an unreadable log counts as empty)."""

    async def text(pod: dict[str, Any]) -> str:
        try:
            return await logs(ctx, namespace, pod_name(pod))
        except kube.KubeError:
            return ""

    texts = await asyncio.gather(*(text(p) for p in found))
    facts = EndpointFacts()
    for pod, log in zip(found, texts, strict=True):
        flag = maester_logs.endpoint_flag(pod, CONTAINER)
        if flag:
            facts.endpoints.append(flag)
        facts.endpoint_404 += [
            ln.text for ln in maester_logs.parse(log) if ln.kind is maester_logs.Kind.ENDPOINT_404
        ]
    return facts
