"""Judging an OAuth2Client resource on its own: its spec, its status, its reconcile state.

Pure (the object in, findings out). The status can claim Ready after a failed registration, so
these findings only say what the resource claims; Hydra and hydra-maester's logs are the
authority (`client_registration`, `maester_verdicts`).
"""

from __future__ import annotations

from typing import Any

from handlers.core.model import Finding, Severity
from handlers.hydra.oauth2client import REGISTRATION_REMEDY, resource_spec, spec_scopes


def reconcile_remedy(code: str, ns: str) -> str:
    return {
        "CLIENT_REGISTRATION_FAILED": "Hydra refused the registration: read the description and "
        "hydra-maester's logs; a 404 there usually means `--endpoint` still `/clients` on "
        "Hydra v2.",
        "INVALID_SECRET": "The Secret has missing or malformed keys: it needs `CLIENT_ID` and "
        "`CLIENT_SECRET` (or the lower-case pair), no stray whitespace.",
        "INVALID_HYDRA_ADDRESS": "`spec.hydraAdmin` (url, port, endpoint) does not point at "
        "Hydra's admin API; for Hydra v2 the endpoint is `/admin/clients`.",
        "SECRET_CREATION_FAILED": "hydra-maester could not write the Secret: check its RBAC and "
        "that no other object has that name.",
        "CLIENT_UPDATE_FAILED": "Hydra refused the update: read hydra-maester's logs.",
    }.get(code, REGISTRATION_REMEDY.format(ns=ns))


def _summary(check: str, spec: dict[str, Any], ns: str, name: str) -> Finding:
    grants = spec.get("grantTypes") or []
    method = spec.get("tokenEndpointAuthMethod") or "client_secret_basic (default)"
    admin = spec.get("hydraAdmin") or {}
    evidence: dict[str, Any] = {
        "grantTypes": grants,
        "scopes": spec_scopes(spec),
        "audience": spec.get("audience") or [],
        "secretName": spec.get("secretName"),
        "tokenEndpointAuthMethod": method,
    }
    if admin:
        evidence["hydraAdmin"] = admin
    return Finding(
        check,
        Severity.INFO,
        f"OAuth2Client `{ns}/{name}`: grants {', '.join(map(str, grants)) or '(none)'}",
        f"scopes: {' '.join(spec_scopes(spec)) or '(none)'}; audience: "
        f"{', '.join(map(str, spec.get('audience') or [])) or '(none)'}; auth method: "
        f"{method}; Secret: `{spec.get('secretName')}`",
        evidence=evidence,
    )


def _reconcile_error(check: str, status: dict[str, Any], ns: str) -> list[Finding]:
    error = status.get("reconciliationError")
    if not isinstance(error, dict) or not (error.get("statusCode") or error.get("description")):
        return []
    code = str(error.get("statusCode") or "")
    return [
        Finding(
            check,
            Severity.FAIL,
            f"hydra-maester reports `{code or 'an error'}` for this client",
            str(error.get("description") or "")[:500],
            reconcile_remedy(code, ns),
            {"statusCode": code},
        )
    ]


def _behind(check: str, meta: dict[str, Any], status: dict[str, Any]) -> list[Finding]:
    generation = meta.get("generation")
    observed = status.get("observedGeneration")
    if not (isinstance(generation, int) and isinstance(observed, int) and observed < generation):
        return []
    return [
        Finding(
            check,
            Severity.WARN,
            "The latest change to the OAuth2Client is not reconciled yet",
            f"metadata.generation is {generation}, status.observedGeneration {observed}: "
            "Hydra may still hold the previous settings.",
            "Wait a moment; if it stays behind, hydra-maester is stuck or down — read its "
            "logs and check its health:",
            commands=("hydra",),
        )
    ]


def _ready(check: str, cond: dict[str, Any]) -> Finding:
    if str(cond.get("status")) == "True":
        return Finding(
            check,
            Severity.INFO,
            "Status condition Ready=True",
            "The status can claim Ready after a failed registration; Hydra and "
            "the controller's logs below are the authority.",
        )
    return Finding(
        check,
        Severity.FAIL,
        f"Status condition Ready={cond.get('status')}",
        str(cond.get("message") or cond.get("reason") or "")[:300],
        REGISTRATION_REMEDY.format(ns="kyma-system"),
    )


def resource_findings(check: str, obj: dict[str, Any], ns: str, name: str) -> list[Finding]:
    """What the resource asks for, and what its status says about the last reconcile."""
    spec = resource_spec(obj)
    meta = obj.get("metadata") or {}
    raw_status = obj.get("status") or {}
    status = raw_status if isinstance(raw_status, dict) else {}
    out = [_summary(check, spec, ns, name)]
    out += _reconcile_error(check, status, ns)
    out += _behind(check, meta, status)
    for cond in status.get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == "Ready":
            out.append(_ready(check, cond))
    return out
