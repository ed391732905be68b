"""Hydra's pods' recent log lines as findings, for the `hydra` and `client` commands.

The Kyma runbook ends with `kubectl logs -n kyma-system -l app.kubernetes.io/name=hydra -c hydra`:
a Hydra that lost its database answers `active:false` and forgets clients, and its `access denied`
and client-authentication lines say why a 401 happened when every resource looks fine. Only a few
summarised lines are shown (see `hydra_logs`), never the logs themselves.
"""

from __future__ import annotations

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.model import Finding, Severity
from handlers.hydra import logs as hydra_logs
from handlers.hydra.logs import HydraLine, Kind

HYDRA_LABEL = "app.kubernetes.io/name=hydra"
HYDRA_CONTAINER = "hydra"
#: How far back, and how much, is read from each pod.
SINCE_SECONDS = 3600
TAIL_LINES = 2000
SHOWN = 3


async def read(
    ctx: CheckContext, check: str, client_id: str | None = None
) -> tuple[list[HydraLine], list[Finding]]:
    """Classified lines of every Hydra pod, and findings for what could not be read."""
    ns = ctx.settings.hydra_namespace
    try:
        pods = await kube.list_pods(ctx, ns, HYDRA_LABEL)
    except kube.KubeError as exc:
        return [], [kube.error_finding(check, exc, subject="Hydra pods")]
    if not pods:
        return [], [
            Finding(
                check,
                Severity.INFO,
                f"No Hydra pods in `{ns}`: Hydra's logs not read",
                f"Looked for pods labelled `{HYDRA_LABEL}`.",
                "If Hydra runs elsewhere, set AUTHCHECK_HYDRA_NAMESPACE to its namespace.",
            )
        ]
    lines: list[HydraLine] = []
    problems: list[Finding] = []
    for pod in pods:
        name = str((pod.get("metadata") or {}).get("name", ""))
        try:
            text = await kube.pod_logs(
                ctx, ns, name, HYDRA_CONTAINER, since_seconds=SINCE_SECONDS, tail_lines=TAIL_LINES
            )
        except kube.KubeError as exc:
            problems.append(kube.error_finding(check, exc, subject=f"logs of {name}"))
            continue
        lines += hydra_logs.parse(text, client_id=client_id, pod=name)
    return lines, problems


def _evidence(lines: list[HydraLine]) -> dict[str, object]:
    return {
        "lines": [ln.shown() for ln in lines],
        "pods": sorted({ln.pod for ln in lines}),
    }


def _detail(lines: list[HydraLine], lead: str) -> str:
    return lead + "\n" + "\n".join(f"• {ln.shown()}" for ln in hydra_logs.last(lines, SHOWN))


def _client_auth(check: str, auth: list[HydraLine], client_id: str | None) -> list[Finding]:
    """Client authentication failures: this client's picked out when its id is known."""
    out: list[Finding] = []
    mine = [ln for ln in auth if ln.mentions_client]
    others = [ln for ln in auth if not ln.mentions_client]
    if client_id and mine:
        out.append(
            Finding(
                check,
                Severity.WARN,
                f"Hydra refused client `{client_id}` {len(mine)} time(s) in the last hour",
                _detail(mine, "Newest:"),
                "Callers send a secret Hydra does not hold for this client (a Secret edited after "
                "registration, a `+` not URL-encoded in Basic auth, a trailing newline) or use "
                "another auth method than `token_endpoint_auth_method`: `token` finds "
                "out which.",
                _evidence(hydra_logs.last(mine, SHOWN)),
            )
        )
    if others:
        which = (
            "that name no client (Hydra logs the client id only with log.leak_sensitive_values)"
            if client_id
            else ""
        )
        out.append(
            Finding(
                check,
                Severity.INFO if client_id else Severity.WARN,
                f"Hydra logged {len(others)} client authentication failure(s) {which}".strip(),
                _detail(others, "Newest:"),
                "`client <ns>/<name>` or `token` for the client in question.",
                _evidence(hydra_logs.last(others, SHOWN)),
            )
        )
    return out


def _denied_and_other(check: str, by_kind: dict[Kind, list[HydraLine]]) -> list[Finding]:
    """Access denials (introspection's `active:false` among them) and any other errors."""
    out: list[Finding] = []
    denied = by_kind[Kind.ACCESS_DENIED]
    if denied:
        introspections = [ln for ln in denied if ln.introspection]
        out.append(
            Finding(
                check,
                Severity.INFO,
                f"Hydra denied {len(denied)} request(s) in the last hour "
                f"({len(introspections)} introspection)",
                _detail(denied, "Newest:"),
                "An `access denied` on introspection is Hydra saying `active:false`: the token is "
                "expired, revoked, unknown or lacks a scope the gatekeeper asked for.",
                _evidence(hydra_logs.last(denied, SHOWN)),
            )
        )
    other = by_kind[Kind.OTHER_ERROR]
    if other:
        out.append(
            Finding(
                check,
                Severity.INFO,
                f"Hydra logged {len(other)} other error(s) in the last hour",
                _detail(other, "Newest:"),
                "",
                _evidence(hydra_logs.last(other, SHOWN)),
            )
        )
    return out


def findings(check: str, lines: list[HydraLine], client_id: str | None = None) -> list[Finding]:
    """One finding per kind of trouble found in the last hour, with its newest lines."""
    out: list[Finding] = []
    by_kind = {k: [ln for ln in lines if ln.kind is k] for k in Kind}
    database = by_kind[Kind.DATABASE]
    if database:
        out.append(
            Finding(
                check,
                Severity.WARN,
                f"Hydra logged {len(database)} database error(s) in the last hour",
                _detail(database, "Newest:"),
                "While Hydra cannot reach its database, introspection answers `active:false` "
                "and clients cannot be read or registered (401s everywhere). Check the database, "
                "Hydra's DSN Secret and pending migrations (`hydra migrate sql`).",
                _evidence(hydra_logs.last(database, SHOWN)),
            )
        )
    out += _client_auth(check, by_kind[Kind.CLIENT_AUTH], client_id)
    out += _denied_and_other(check, by_kind)
    if not out:
        out.append(
            Finding(
                check,
                Severity.OK,
                "No errors in Hydra's logs in the last hour",
                "No database errors, client authentication failures or access denials.",
            )
        )
    return out
