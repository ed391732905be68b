"""Hydra's registration of an OAuth2Client: does Hydra know the Secret's client id, and does
its copy match the resource? Hydra, not the resource's status, is the authority: a client the
status calls Ready may be missing from Hydra (an in-memory Hydra restarted, a v1 path on v2).
"""

from __future__ import annotations

from typing import Any

from handlers.core.check import CheckContext
from handlers.core.model import Finding, Severity
from handlers.hydra import admin as hydra_admin
from handlers.hydra.oauth2client import REGISTRATION_REMEDY, spec_scopes


async def registration(
    ctx: CheckContext, check: str, client_id: str, ns: str, name: str
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """Hydra's copy of the client (None when it has none or could not be asked), and findings;
    a missing client is looked for under another id by its owner."""
    lookup = await hydra_admin.get_client(ctx, client_id)
    tried = [t.to_dict() for t in lookup.tried]
    if lookup.found:
        assert lookup.client is not None
        return lookup.client, [
            Finding(
                check,
                Severity.OK,
                f"Hydra knows client `{client_id.strip()}` ({lookup.api} admin API)",
                evidence={"tried": tried},
            )
        ]
    if lookup.error:
        return None, [
            Finding(
                check,
                Severity.ERROR,
                "Could not ask Hydra's admin API about the client",
                lookup.error,
                "Check AUTHCHECK_HYDRA_ADMIN_URL (admin port 4445, reachable from the bot) "
                "and Hydra's health:",
                {"tried": tried},
                commands=("hydra",),
            )
        ]
    out = [
        Finding(
            check,
            Severity.FAIL,
            f"Hydra has no client `{client_id.strip()}`",
            f"Hydra's {lookup.api} admin API answered 404 “Unable to locate the resource”. "
            "Every token request with this Secret fails with 401 invalid_client.",
            REGISTRATION_REMEDY.format(ns=ctx.settings.hydra_namespace),
            {"tried": tried},
        )
    ]
    listing = await hydra_admin.list_clients(ctx)
    owned = [c for c in listing.clients if c.get("owner") == f"{name}/{ns}"]
    if owned:
        ids = ", ".join(f"`{c.get('client_id')}`" for c in owned)
        out.append(
            Finding(
                check,
                Severity.FAIL,
                "Hydra has a client owned by this resource under another id",
                f"Owner `{name}/{ns}` is registered as {ids}: the Secret's client id was "
                "changed after registration.",
                "Restore the Secret's id, or delete the Secret so hydra-maester writes the "
                "registered credentials again.",
            )
        )
    return None, out


def drift_findings(
    check: str, spec: dict[str, Any], client: dict[str, Any], ns: str, name: str
) -> list[Finding]:
    """Where the resource and Hydra's copy disagree; tokens follow Hydra's copy."""
    diffs: list[str] = []
    want_grants = sorted(map(str, spec.get("grantTypes") or []))
    have_grants = sorted(map(str, client.get("grant_types") or []))
    if want_grants != have_grants:
        diffs.append(f"grant types: resource {want_grants}, Hydra {have_grants}")
    want_scopes = sorted(spec_scopes(spec))
    have_scopes = sorted(str(client.get("scope") or "").split())
    if want_scopes != have_scopes:
        diffs.append(f"scopes: resource {want_scopes}, Hydra {have_scopes}")
    want_aud = sorted(map(str, spec.get("audience") or []))
    have_aud = sorted(map(str, client.get("audience") or []))
    if want_aud != have_aud:
        diffs.append(f"audience: resource {want_aud}, Hydra {have_aud}")
    want_method = str(spec.get("tokenEndpointAuthMethod") or "client_secret_basic")
    have_method = str(client.get("token_endpoint_auth_method") or "client_secret_basic")
    if want_method != have_method:
        diffs.append(f"auth method: resource {want_method}, Hydra {have_method}")
    out: list[Finding] = []
    owner = client.get("owner")
    if owner and owner != f"{name}/{ns}":
        out.append(
            Finding(
                check,
                Severity.WARN,
                f"The Hydra client is owned by `{owner}`, not `{name}/{ns}`",
                "Two OAuth2Clients share one client id; hydra-maester logs `requested ID "
                "already exists` for the second and only one of them is in effect.",
                "Give each OAuth2Client its own Secret / client id.",
            )
        )
    if diffs:
        out.append(
            Finding(
                check,
                Severity.FAIL,
                "The OAuth2Client and Hydra's registration disagree",
                "; ".join(diffs) + ". Tokens follow Hydra's copy.",
                "hydra-maester did not apply the last change: check its logs below; touching "
                "the resource (a label) triggers a new reconcile.",
                {"differences": diffs},
            )
        )
    else:
        out.append(
            Finding(
                check,
                Severity.OK,
                "Hydra's registration matches the resource",
                "grant types, scopes, audience and auth method agree",
            )
        )
    return out
