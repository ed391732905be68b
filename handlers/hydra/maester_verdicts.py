"""Judging hydra-maester's log lines about one client: its latest verdict wins.

hydra-maester's log, not the OAuth2Client status, says whether a client was registered; the
latest line is the current state, earlier errors followed by a success are history.
"""

from __future__ import annotations

from handlers.core.model import Finding, Severity
from handlers.hydra import maester_logs

#: The latest line's kind → (status, title, remedy).
VERDICTS: dict[maester_logs.Kind, tuple[Severity, str, str]] = {
    maester_logs.Kind.RECONCILED: (
        Severity.OK,
        "hydra-maester last reconciled this client successfully",
        "",
    ),
    maester_logs.Kind.ID_EXISTS: (
        Severity.FAIL,
        "hydra-maester: requested ID already exists",
        "Another OAuth2Client (or a client created by hand) already uses this client id; "
        "give this resource its own Secret, or delete the stale client in Hydra.",
    ),
    maester_logs.Kind.INVALID_SECRET: (
        Severity.FAIL,
        "hydra-maester: the client's Secret is invalid",
        "The Secret needs `CLIENT_ID` and `CLIENT_SECRET` (or the lower-case pair) with "
        "non-empty values.",
    ),
    maester_logs.Kind.ENDPOINT_404: (
        Severity.FAIL,
        "hydra-maester's calls to Hydra's admin API answer 404",
        "hydra-maester still uses `--endpoint=/clients` against Hydra v2, which serves "
        "`/admin/clients`: set the flag (or `spec.hydraAdmin.endpoint`) to `/admin/clients`.",
    ),
    maester_logs.Kind.ERROR_PROCESSING: (
        Severity.FAIL,
        "hydra-maester failed to process this client",
        "Read the error in the line: Hydra's status code and message say what it refused.",
    ),
    maester_logs.Kind.OTHER_ERROR: (
        Severity.WARN,
        "hydra-maester logged an error about this client",
        "Read the line; then `hydra` for the controller's health.",
    ),
}


def classify_findings(
    check: str, lines: list[maester_logs.LogLine], ns: str, name: str
) -> list[Finding]:
    """One finding for the latest verdict, plus the distinct error kinds seen before it."""
    if not lines:
        return [
            Finding(
                check,
                Severity.INFO,
                f"hydra-maester logged nothing about `{ns}/{name}` recently",
                "No reconcile in the last hour; an unchanged client is not reconciled again.",
            )
        ]
    last = lines[-1]
    sample = [ln.text for ln in lines[-5:]]
    ev = {"lines": sample, "pod": last.pod}
    kind = maester_logs.Kind
    status, title, remedy = VERDICTS[last.kind]
    detail = last.text
    if last.kind is kind.ERROR_PROCESSING or last.kind is kind.ENDPOINT_404:
        path = maester_logs.clients_path_in(last.text)
        if path:
            ev["admin_path"] = path
    out = [Finding(check, status, title, detail, remedy, ev)]
    earlier = {ln.kind for ln in lines[:-1] if ln.is_error} - {last.kind}
    if earlier and last.kind is kind.RECONCILED:
        out.append(
            Finding(
                check,
                Severity.INFO,
                "Earlier errors for this client were followed by a successful reconcile",
                ", ".join(sorted(k.value for k in earlier)),
            )
        )
    return out
