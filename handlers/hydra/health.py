"""Judging Hydra's health endpoints (pure: the admin API's answers in, findings out).

A Hydra without its database answers `active:false` and forgets clients; a 404 on a health
path means the URL does not lead to Hydra at all, which is `error`, not a verdict on Hydra.
"""

from __future__ import annotations

from handlers.core.model import Finding, Severity
from handlers.hydra import admin as hydra_admin
from handlers.hydra.admin import Probe


def alive_stop(check: str, alive: Probe) -> Finding | None:
    """The one finding when liveness shows the URL does not reach Hydra's admin API at all."""
    if alive.error:
        return Finding(
            check,
            Severity.ERROR,
            "Hydra's admin API is unreachable",
            alive.error,
            "Check AUTHCHECK_HYDRA_ADMIN_URL (admin port 4445) and the Hydra pods.",
            {"url": alive.url},
        )
    if alive.status in (404, 401, 403):
        return not_hydra_admin(check, alive.url, alive.status)
    return None


def alive_finding(check: str, alive: Probe) -> Finding:
    if alive.status == 200:
        return Finding(check, Severity.OK, "Hydra is alive", f"{alive.url} → 200")
    return Finding(
        check,
        Severity.FAIL,
        f"Hydra's liveness endpoint answered {alive.status}",
        alive.url,
        "Read Hydra's logs: `kubectl logs -n <ns> -l app.kubernetes.io/name=hydra`.",
    )


def ready_finding(check: str, ready: Probe) -> Finding:
    """Readiness is Hydra's database: a 503 lists the errors."""
    if ready.error:
        return Finding(check, Severity.ERROR, "Readiness not checked", ready.error)
    if ready.status in (404, 401, 403):
        return not_hydra_admin(check, ready.url, ready.status)
    if ready.status == 200:
        return Finding(check, Severity.OK, "Hydra is ready (database reachable)")
    errors = ready.json().get("errors")
    detail = (
        "; ".join(f"{k}: {v}" for k, v in errors.items())
        if isinstance(errors, dict)
        else f"{ready.url} → {ready.status}"
    )
    return Finding(
        check,
        Severity.FAIL,
        f"Hydra is not ready ({ready.status})",
        detail[:400],
        "Hydra cannot reach its database: clients cannot be read or registered and "
        "introspection fails. Check the database and Hydra's DSN secret.",
    )


def version_findings(check: str, version: Probe) -> list[Finding]:
    value = str(version.json().get("version") or "") if not version.error else ""
    if not value:
        return []
    path = hydra_admin.clients_path_for(value)
    return [
        Finding(
            check,
            Severity.INFO,
            f"Hydra version {value}",
            f"Admin client path for this version: `{path}`." if path else "",
            evidence={"version": value, "clients_path": path},
        )
    ]


def not_hydra_admin(check: str, url: str, status: int | None) -> Finding:
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
