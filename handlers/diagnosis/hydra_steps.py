"""The `hydra` and `hydra-maester` steps of `diagnose`: is Hydra alive, ready (its database) and
which version; which `--endpoint` hydra-maester calls and the 404s it met. Reads through
`handlers.hydra.admin` and `handlers.hydra.maester`, as the `hydra` command does.
"""

from __future__ import annotations

import asyncio

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.observation import Unknown
from handlers.diagnosis.facts import OK, Facts, kube_failure
from handlers.hydra import admin as hydra_admin
from handlers.hydra import maester


async def hydra(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("hydra")
    alive, ready, version = await asyncio.gather(
        hydra_admin.probe(ctx, "/health/alive"),
        hydra_admin.probe(ctx, "/health/ready"),
        hydra_admin.probe(ctx, "/version"),
    )
    if alive.error:
        step.could_not_tell(
            Unknown(alive.error, "point AUTHCHECK_HYDRA_ADMIN_URL at Hydra's admin port (4445)")
        )
        return
    facts.hydra_alive = alive.status == 200
    facts.hydra_ready = ready.status == 200 if not ready.error else None
    facts.hydra_version = str(version.json().get("version") or "") or None
    step.state = OK
    step.summary = (
        f"alive: {facts.hydra_alive}, ready: {facts.hydra_ready}, "
        f"version: {facts.hydra_version or 'unknown'}"
    )


async def hydra_maester(ctx: CheckContext, facts: Facts) -> None:
    step = facts.step("hydra-maester")
    ns = ctx.settings.hydra_namespace
    try:
        pods = await maester.pods(ctx, ns)
    except kube.KubeError as exc:
        kube_failure(step, exc)
        return
    if not pods:
        step.state, step.summary = OK, f"no hydra-maester pods in `{ns}`"
        facts.maester = maester.EndpointFacts()
        return
    found = await maester.endpoint_facts(ctx, ns, pods)
    facts.maester = found
    step.state = OK
    step.summary = (
        f"{len(pods)} pod(s); --endpoint {', '.join(found.endpoints) or 'default'}; "
        f"{len(found.endpoint_404)} line(s) with 404 from Hydra"
    )
