"""What an introspection *call* says about the bot's setup: pure judges, no requests.

A call that produced no RFC 7662 answer (unreachable, the bot's own client refused, a wrong path,
a redirect to Hydra's unset `urls.self.admin`) is always an `error` about the bot's setup, never a
verdict on the user's token. What an answer says about the token is `activity_verdicts`.
"""

from __future__ import annotations

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.oauth.discovery import HYDRA_V1_INTROSPECT, HYDRA_V2_INTROSPECT
from handlers.oauth.introspection import (
    Credentials,
    Introspection,
    IntrospectionCall,
    redirects_to_localhost,
)
from handlers.oauth.introspection_target import Target
from handlers.tokens.info import TokenView


def _calls_text(result: Introspection) -> str:
    return "\n".join(c.summary() for c in result.calls)


def _setup_remedy(target: Target) -> str:
    if target.hydra_admin:
        return (
            "AUTHCHECK_HYDRA_ADMIN_URL must point at Hydra's admin port (4445, e.g. "
            "http://ory-hydra-admin.kyma-system.svc.cluster.local:4445), not the public one "
            "(4444); check NetworkPolicies between authcheck and Hydra."
        )
    return (
        f"Check the introspection URL (from {target.source}) and that authcheck can reach it; "
        "for Hydra v2 it is <admin>:4445/admin/oauth2/introspect."
    )


def post_body_only(out: FindingBuilder, creds: Credentials) -> Finding:
    """Basic was refused and the POST body worked: the check goes on, but callers using Basic
    with this client will fail."""
    return out(
        Severity.WARN,
        "authcheck's introspection client only works with client_secret_post",
        f"Basic authentication was refused, credentials in the POST body "
        f"worked (client `{creds.client_id}` from {creds.source}).",
        "Nothing to do for this check; tools calling introspection with Basic "
        "auth will fail with this client.",
    )


def redirect_findings(out: FindingBuilder, result: Introspection) -> list[Finding]:
    """Every redirect met on the way, and whether the retry at the right path answered."""
    findings = []
    for index, c in enumerate(result.calls):
        if c.location is None:
            continue
        retried = index + 1 < len(result.calls)
        worked = retried and result.calls[-1].answered
        if redirects_to_localhost(c.location):
            title = f"{c.url} redirects to {c.location}: Hydra v2's `urls.self.admin` is not set"
            detail = (
                "Hydra v2 moved introspection to /admin/oauth2/introspect and answers the old v1 "
                "path with a 307 to `urls.self.admin`, which defaults to a local address that "
                "does not work from other pods. Oathkeeper or clients configured with the v1 path "
                "fail the same way."
            )
        else:
            title = f"{c.url} redirects to {c.location}"
            detail = "The introspection URL is not the one the server serves introspection at."
        if worked:
            detail += f" authcheck retried at {result.calls[-1].url}, which answered."
        findings.append(
            out(
                Severity.WARN if worked else Severity.ERROR,
                title,
                detail,
                f"Use {HYDRA_V2_INTROSPECT} on the admin port (Oathkeeper's "
                "`introspection_url`, AUTHCHECK_INTROSPECT_URL); and set Hydra's "
                "`urls.self.admin` to its in-cluster admin URL.",
                location=c.location,
            )
        )
    return findings


def _caller_rejected(final: IntrospectionCall, creds: Credentials | None) -> bool:
    """The endpoint refused the *caller* (RFC 7662 §2.1 requires it to authenticate)."""
    if final.status in (401, 403):
        return True
    if final.error is None:
        return False
    if final.error.error in ("invalid_client", "unauthorized_client"):
        return True
    # oidc-provider: 400 invalid_request "no client authentication mechanism provided".
    return creds is None and "authentication" in (final.error.description or "").lower()


def _caller_refused(
    out: FindingBuilder, final: IntrospectionCall, creds: Credentials | None, tried: str
) -> Finding:
    who = f"the client from {creds.source}" if creds else "no client credentials"
    if creds is None:
        remedy = (
            "The endpoint requires client authentication: set AUTHCHECK_INTROSPECT_SECRET "
            "(namespace/name of a Secret with client_id/client_secret) or "
            "AUTHCHECK_INTROSPECT_CLIENT_ID/_SECRET, or pass --client-id/--client-secret "
            "or --secret."
        )
    else:
        remedy = (
            f"Check that client `{creds.client_id}` exists on this server and that its "
            "secret matches (`token` with the same credentials tests them)."
        )
    return out(
        Severity.ERROR,
        f"The introspection endpoint refused authcheck's call (HTTP {final.status})",
        f"authcheck called with {who}.\nTried:\n{tried}\nThis is about the caller's "
        "credentials, not the token being checked.",
        remedy,
        url=final.url,
        caller=creds.client_id if creds else None,
    )


def _not_introspected(out: FindingBuilder, final: IntrospectionCall, tv: TokenView) -> Finding:
    assert final.error is not None
    detail = (
        f"The server would not introspect this token: {final.error.sentence()}. "
        "Some servers (oidc-provider among them) only introspect opaque tokens; a JWT "
        "access token is checked by its signature instead."
    )
    return out(
        Severity.ERROR,
        "The server does not introspect this kind of token",
        detail,
        "Check the JWT with `decode` (expiry, issuer, audience) and against "
        "the resource with `probe <url> --token …`.",
        url=final.url,
        token_kind=tv.kind,
    )


def _no_answer(
    out: FindingBuilder, target: Target, result: Introspection, final: IntrospectionCall
) -> Finding:
    tried = _calls_text(result)
    if target.hydra_admin and all(c.status == 404 for c in result.calls):
        return out(
            Severity.ERROR,
            f"No Hydra introspection endpoint at {target.url}",
            f"Neither v2's {HYDRA_V2_INTROSPECT} nor v1's {HYDRA_V1_INTROSPECT} exists.\n"
            f"Tried:\n{tried}",
            _setup_remedy(target),
            url=target.url,
        )
    hint = ""
    if final.status == 404 and final.url.rstrip("/").endswith(HYDRA_V1_INTROSPECT):
        hint = f" On Hydra v2 the path is {HYDRA_V2_INTROSPECT}."
    return out(
        Severity.ERROR,
        f"{final.url} did not give an introspection answer",
        f"Tried:\n{tried}\nAn RFC 7662 answer is HTTP 200 with JSON holding a boolean `active`.",
        _setup_remedy(target) + hint,
        url=final.url,
    )


def call_failure(
    out: FindingBuilder,
    target: Target,
    result: Introspection,
    creds: Credentials | None,
    tv: TokenView,
) -> list[Finding]:
    """The call did not produce an RFC 7662 answer: always about the bot's setup → error."""
    final = result.final
    assert final is not None
    tried = _calls_text(result)
    if final.transport_error:
        return [
            out(
                Severity.ERROR,
                "Introspection endpoint unreachable",
                f"Tried:\n{tried}\nThis says nothing about the token.",
                _setup_remedy(target),
                url=final.url,
            )
        ]
    if _caller_rejected(final, creds):
        return [_caller_refused(out, final, creds, tried)]
    if final.error is not None and final.error.error == "unsupported_token_type":
        return [_not_introspected(out, final, tv)]
    return [_no_answer(out, target, result, final)]


def who_answered(
    out: FindingBuilder, target: Target, result: Introspection, creds: Credentials | None
) -> Finding:
    """Which endpoint (and Hydra version) answered, as whom: Oathkeeper needs the same path."""
    final: IntrospectionCall | None = result.final
    assert final is not None
    caller = f" as client `{creds.client_id}` ({creds.source})" if creds else ""
    if target.hydra_admin and result.hydra_version:
        path = HYDRA_V2_INTROSPECT if final.url.endswith(HYDRA_V2_INTROSPECT) else final.url
        detail = f"Hydra {result.hydra_version} answered at {final.url}{caller}."
        if result.hydra_version == "v1":
            detail += (
                f" The v2 path {HYDRA_V2_INTROSPECT} gave 404, so this is Hydra v1: "
                "Oathkeeper and hydra-maester must use the v1 paths (/oauth2/introspect, "
                "/clients)."
            )
        else:
            detail += (
                " Oathkeeper's `introspection_url` must use this path and hydra-maester "
                "`--endpoint=/admin/clients`."
            )
        return out(
            Severity.INFO,
            f"Introspected at Hydra {result.hydra_version} ({path})",
            detail,
            hydra_version=result.hydra_version,
            url=final.url,
        )
    return out(
        Severity.INFO,
        f"Introspected at {final.url}",
        f"Endpoint from {target.source}{caller}.",
        url=final.url,
    )
