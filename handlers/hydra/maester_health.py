"""Judging hydra-maester's health from its pods and logs (pure: pods and text in, findings out).

While hydra-maester is down, crash-looping, or calling Hydra v1's `/clients` on Hydra v2,
OAuth2Client changes never reach Hydra although their status may say Ready.
"""

from __future__ import annotations

from typing import Any

from handlers.core.model import Finding, Severity
from handlers.hydra import admin as hydra_admin
from handlers.hydra import maester, maester_logs


def no_pods(check: str, ns: str) -> Finding:
    return Finding(
        check,
        Severity.FAIL,
        f"No hydra-maester pods in `{ns}`",
        f"No pod labelled `{maester.LABEL}`: OAuth2Clients are not reconciled.",
        "Check the hydra-maester Deployment, or set AUTHCHECK_HYDRA_NAMESPACE.",
    )


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return [s for s in statuses if isinstance(s, dict)]


def _container_finding(check: str, ns: str, name: str, c: dict[str, Any]) -> Finding:
    restarts = int(c.get("restartCount") or 0)
    waiting = ((c.get("state") or {}).get("waiting") or {}).get("reason")
    last = ((c.get("lastState") or {}).get("terminated") or {}).get("reason")
    if c.get("ready") and restarts < 3:
        return Finding(check, Severity.OK, f"Pod `{name}` ready ({restarts} restarts)")
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
    return Finding(
        check,
        Severity.FAIL if not c.get("ready") else Severity.WARN,
        f"Pod `{name}` container `{c.get('name')}`: {why}",
        "While hydra-maester is down or crash-looping, OAuth2Client changes do not reach Hydra.",
        f"`kubectl describe pod -n {ns} {name}` and its previous logs (`kubectl logs --previous`).",
    )


def pod_findings(check: str, ns: str, pod: dict[str, Any], hydra_version: str) -> list[Finding]:
    """Each container's readiness and restarts, and an `--endpoint` Hydra does not serve."""
    name = maester.pod_name(pod)
    out = [_container_finding(check, ns, name, c) for c in _containers(pod)]
    expected = hydra_admin.clients_path_for(hydra_version)
    flag = maester_logs.endpoint_flag(pod, maester.CONTAINER)
    if flag and expected and flag.rstrip("/") != expected:
        out.append(
            Finding(
                check,
                Severity.FAIL,
                f"hydra-maester calls `{flag}` but Hydra {hydra_version} serves `{expected}`",
                "Every registration gets 404 from Hydra's admin API.",
                f"Set hydra-maester's `--endpoint={expected}`.",
            )
        )
    return out


def log_findings(check: str, name: str, text: str) -> list[Finding]:
    """The error lines of the last hour, the latest shown."""
    errors = [ln for ln in maester_logs.parse(text, pod=name) if ln.is_error]
    if not errors:
        return []
    return [
        Finding(
            check,
            Severity.WARN,
            f"{len(errors)} error line(s) in `{name}` in the last hour",
            errors[-1].text,
            "`client <ns>/<name>` for the client named in the line.",
            {"lines": [ln.text for ln in errors[-5:]]},
        )
    ]
