"""`hydra`: is Hydra alive and reaching its database, and is hydra-maester running and healthy.

Every other Kyma check assumes these: a Hydra without its database answers `active:false` and
forgets clients; a hydra-maester in a crash loop or still calling `/clients` on Hydra v2 leaves
OAuth2Clients unregistered while their status says Ready.
"""

from __future__ import annotations

from handlers import kube
from handlers.core.check import Arguments, CheckContext, Command
from handlers.core.model import Finding
from handlers.hydra import admin as hydra_admin
from handlers.hydra import health, maester, maester_health
from handlers.hydra import pods as hydra_pods


class HydraHealthCheck:
    name = "hydra-health"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        alive = await hydra_admin.probe(ctx, "/health/alive")
        stop = health.alive_stop(self.name, alive)
        if stop is not None:
            return [stop]
        out = [health.alive_finding(self.name, alive)]
        ready = await hydra_admin.probe(ctx, "/health/ready")
        out.append(health.ready_finding(self.name, ready))
        version = await hydra_admin.probe(ctx, "/version")
        return out + health.version_findings(self.name, version)


class MaesterHealthCheck:
    name = "hydra-maester"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        ns = ctx.settings.hydra_namespace
        try:
            pods = await maester.pods(ctx, ns)
        except kube.KubeError as exc:
            return [kube.error_finding(self.name, exc, subject="hydra-maester pods")]
        if not pods:
            return [maester_health.no_pods(self.name, ns)]
        out: list[Finding] = []
        version = await hydra_admin.probe(ctx, "/version")
        hydra_version = str(version.json().get("version") or "") if not version.error else ""
        for pod in pods:
            name = maester.pod_name(pod)
            out += maester_health.pod_findings(self.name, ns, pod, hydra_version)
            try:
                text = await maester.logs(ctx, ns, name)
            except kube.KubeError as exc:
                out.append(kube.error_finding(self.name, exc, subject=f"logs of {name}"))
                continue
            out += maester_health.log_findings(self.name, name, text)
        return out


class HydraLogsCheck:
    """Hydra's own recent errors: database, client authentication, access denied."""

    name = "hydra-logs"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        lines, problems = await hydra_pods.read(ctx, self.name)
        if problems and not lines:
            return problems
        return [*problems, *hydra_pods.findings(self.name, lines)]


def build() -> Command:
    return Command(
        name="hydra",
        summary="Hydra health, database, version and recent log errors; hydra-maester pods and "
        "recent errors",
        params=(),
        checks=(HydraHealthCheck(), MaesterHealthCheck(), HydraLogsCheck()),
        examples=("hydra",),
    )
