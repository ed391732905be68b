"""`hydra`: is Hydra alive and reaching its database, and is hydra-maester running and healthy.

Every other Kyma check assumes these: a Hydra without its database answers `active:false` and
forgets clients; a hydra-maester in a crash loop or still calling `/clients` on Hydra v2 leaves
OAuth2Clients unregistered while their status says Ready.
"""

from __future__ import annotations

from typing import Any

from handlers import kube
from handlers.commands.client import MAESTER_CONTAINER, MAESTER_LABEL
from handlers.core.check import Arguments, CheckContext, Command
from handlers.core.model import Finding, Severity
from handlers.hydra import admin as hydra_admin
from handlers.hydra import maester_logs
from handlers.hydra import pods as hydra_pods


class HydraHealthCheck:
    name = "hydra-health"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        out: list[Finding] = []
        alive = await hydra_admin.probe(ctx, "/health/alive")
        if alive.error:
            return [
                Finding(
                    self.name,
                    Severity.ERROR,
                    "Hydra's admin API is unreachable",
                    alive.error,
                    "Check AUTHCHECK_HYDRA_ADMIN_URL (admin port 4445) and the Hydra pods.",
                    {"url": alive.url},
                )
            ]
        if alive.status in (404, 401, 403):
            return [_not_hydra_admin(self.name, alive.url, alive.status)]
        if alive.status == 200:
            out.append(Finding(self.name, Severity.OK, "Hydra is alive", f"{alive.url} → 200"))
        else:
            out.append(
                Finding(
                    self.name,
                    Severity.FAIL,
                    f"Hydra's liveness endpoint answered {alive.status}",
                    alive.url,
                    "Read Hydra's logs: `kubectl logs -n <ns> -l app.kubernetes.io/name=hydra`.",
                )
            )
        ready = await hydra_admin.probe(ctx, "/health/ready")
        if ready.error:
            out.append(Finding(self.name, Severity.ERROR, "Readiness not checked", ready.error))
        elif ready.status in (404, 401, 403):
            out.append(_not_hydra_admin(self.name, ready.url, ready.status))
        elif ready.status == 200:
            out.append(Finding(self.name, Severity.OK, "Hydra is ready (database reachable)"))
        else:
            errors = ready.json().get("errors")
            detail = (
                "; ".join(f"{k}: {v}" for k, v in errors.items())
                if isinstance(errors, dict)
                else f"{ready.url} → {ready.status}"
            )
            out.append(
                Finding(
                    self.name,
                    Severity.FAIL,
                    f"Hydra is not ready ({ready.status})",
                    detail[:400],
                    "Hydra cannot reach its database: clients cannot be read or registered and "
                    "introspection fails. Check the database and Hydra's DSN secret.",
                )
            )
        version = await hydra_admin.probe(ctx, "/version")
        value = str(version.json().get("version") or "") if not version.error else ""
        if value:
            path = hydra_admin.clients_path_for(value)
            out.append(
                Finding(
                    self.name,
                    Severity.INFO,
                    f"Hydra version {value}",
                    f"Admin client path for this version: `{path}`." if path else "",
                    evidence={"version": value, "clients_path": path},
                )
            )
        return out


def _not_hydra_admin(check: str, url: str, status: int | None) -> Finding:
    """Hydra serves its health endpoints on every version and port, so a 404 there means the
    URL does not lead to Hydra (wrong host, port or path prefix) — `error`, because nothing was
    learnt about Hydra itself; "Hydra is not ready" would send the responder to its database.
    401/403 means something in front refused: also not a verdict on Hydra."""
    if status == 404:
        title = "AUTHCHECK_HYDRA_ADMIN_URL does not lead to Hydra's admin API (404)"
        why = (
            f"{url} answered 404 Not Found; every Hydra version serves this path, so the URL "
            "points at something else (another service, the wrong port, or an extra path "
            "prefix). This says nothing about Hydra's health."
        )
    else:
        title = f"Hydra's admin API refused authcheck ({status})"
        why = (
            f"{url} answered {status}: a proxy or gateway in front of the admin port refuses "
            "the request. This says nothing about Hydra's health."
        )
    return Finding(
        check,
        Severity.ERROR,
        title,
        why,
        "Set AUTHCHECK_HYDRA_ADMIN_URL to Hydra's admin Service and port with no path, e.g. "
        "http://ory-hydra-admin.kyma-system.svc.cluster.local:4445.",
        {"url": url, "status": status},
    )


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return [s for s in statuses if isinstance(s, dict)]


class MaesterHealthCheck:
    name = "hydra-maester"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        ns = ctx.settings.hydra_namespace
        try:
            pods = await kube.list_pods(ctx, ns, MAESTER_LABEL)
        except kube.KubeError as exc:
            return [kube.error_finding(self.name, exc, subject="hydra-maester pods")]
        if not pods:
            return [
                Finding(
                    self.name,
                    Severity.FAIL,
                    f"No hydra-maester pods in `{ns}`",
                    f"No pod labelled `{MAESTER_LABEL}`: OAuth2Clients are not reconciled.",
                    "Check the hydra-maester Deployment, or set AUTHCHECK_HYDRA_NAMESPACE.",
                )
            ]
        out: list[Finding] = []
        version = await hydra_admin.probe(ctx, "/version")
        hydra_version = str(version.json().get("version") or "") if not version.error else ""
        expected = hydra_admin.clients_path_for(hydra_version)
        for pod in pods:
            name = str((pod.get("metadata") or {}).get("name", ""))
            for c in _containers(pod):
                restarts = int(c.get("restartCount") or 0)
                waiting = ((c.get("state") or {}).get("waiting") or {}).get("reason")
                last = ((c.get("lastState") or {}).get("terminated") or {}).get("reason")
                if c.get("ready") and restarts < 3:
                    out.append(
                        Finding(
                            self.name,
                            Severity.OK,
                            f"Pod `{name}` ready ({restarts} restarts)",
                        )
                    )
                else:
                    why = ", ".join(
                        x
                        for x in (
                            "not ready" if not c.get("ready") else "",
                            f"{restarts} restarts" if restarts else "",
                            f"waiting: {waiting}" if waiting else "",
                            f"last exit: {last}" if last else "",
                        )
                        if x
                    )
                    out.append(
                        Finding(
                            self.name,
                            Severity.FAIL if not c.get("ready") else Severity.WARN,
                            f"Pod `{name}` container `{c.get('name')}`: {why}",
                            "While hydra-maester is down or crash-looping, OAuth2Client changes "
                            "do not reach Hydra.",
                            f"`kubectl describe pod -n {ns} {name}` and its previous logs "
                            "(`kubectl logs --previous`).",
                        )
                    )
            flag = maester_logs.endpoint_flag(pod, MAESTER_CONTAINER)
            if flag and expected and flag.rstrip("/") != expected:
                out.append(
                    Finding(
                        self.name,
                        Severity.FAIL,
                        f"hydra-maester calls `{flag}` but Hydra {hydra_version} serves "
                        f"`{expected}`",
                        "Every registration gets 404 from Hydra's admin API.",
                        f"Set hydra-maester's `--endpoint={expected}`.",
                    )
                )
            try:
                text = await kube.pod_logs(ctx, ns, name, MAESTER_CONTAINER)
            except kube.KubeError as exc:
                out.append(kube.error_finding(self.name, exc, subject=f"logs of {name}"))
                continue
            errors = [ln for ln in maester_logs.parse(text, pod=name) if ln.is_error]
            if errors:
                out.append(
                    Finding(
                        self.name,
                        Severity.WARN,
                        f"{len(errors)} error line(s) in `{name}` in the last hour",
                        errors[-1].text,
                        "`client <ns>/<name>` for the client named in the line.",
                        {"lines": [ln.text for ln in errors[-5:]]},
                    )
                )
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
