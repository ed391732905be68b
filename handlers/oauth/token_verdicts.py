"""What the `token` command's answers mean: pure judges from token attempts to findings.

No requests here (they are `token_experiments`): given the answers, say whether the client got a
token, what the token is, how the server decodes Basic credentials, and what it objected to when
the client got through but the request did not (scope, audience, grant type).
"""

from __future__ import annotations

from typing import Any

from handlers.core.check import CheckContext
from handlers.core.model import Finding, Severity
from handlers.oauth import client_auth, contradictions, refusals
from handlers.oauth.token_experiments import TokenRun
from handlers.oauth.token_request import TokenAttempt
from handlers.tokens.info import identify, jwt_summary, split_scopes, view
from handlers.tokens.reading import DecodedJwt


def attempts_finding(run: TokenRun) -> Finding:
    """Every request of the run, in order: the record the verdict rests on."""
    lines = []
    for index, (label, a) in enumerate(run.attempts, 1):
        outcome = "token issued" if a.ok else a.wording()
        lines.append(f"{index}. {label}: {outcome}")
    return Finding(
        run.check,
        Severity.INFO,
        f"{len(run.attempts)} token request{'s' if len(run.attempts) > 1 else ''} to {run.url}",
        "\n".join(lines),
        "",
        {
            "token_url": run.url,
            "client_id": run.creds.client_id,
            "credentials_from": run.creds.source,
            "attempts": [
                {
                    "method": a.method,
                    "label": label,
                    "status": a.status,
                    "error": a.error,
                    "error_description": a.error_description,
                    "transport_error": a.transport_error,
                    "ok": a.ok,
                }
                for label, a in run.attempts
            ],
        },
    )


def is_uaa(a: TokenAttempt) -> bool:
    """UAA's wording (`unauthorized`, "Bad credentials"): it takes Basic credentials raw."""
    text = " ".join(
        filter(None, [a.www_authenticate, a.error, a.error_description, a.body_excerpt])
    ).lower()
    return "uaa" in text or "bad credentials" in text or a.error == "unauthorized"


def _token_lines(
    a: TokenAttempt, token: str, ctx: CheckContext
) -> tuple[list[str], DecodedJwt | None]:
    tv = view(token)
    granted = (a.scope or "").split()
    lines = [
        f"token: {identify(token)}",
        f"type: {a.token_type or 'not given'}, format: "
        + ("JWT" if tv.decoded else (tv.opaque[0] if tv.opaque else "opaque")),
        f"lifetime: {a.expires_in} s" if a.expires_in is not None else "lifetime: not given",
        f"granted scopes: {' '.join(granted) or 'none listed'}",
    ]
    if tv.decoded is not None:
        lines.append("decoded (signature not verified):")
        lines.append(jwt_summary(tv.decoded, ctx.clock()))
    return lines, tv.decoded


def success_findings(run: TokenRun, a: TokenAttempt, ctx: CheckContext) -> list[Finding]:
    """A token came: what it is, and whether it is what was asked for."""
    token = a.access_token or ""
    ctx.redactor.add(token)
    lines, decoded = _token_lines(a, token, ctx)
    findings = [
        Finding(
            run.check,
            Severity.OK,
            f"Client `{run.creds.client_id}` got a token",
            "\n".join(lines),
            "",
            {
                "method": a.method,
                "expires_in": a.expires_in,
                "scope": a.scope,
                "jwt": decoded is not None,
            },
        )
    ]
    wanted = split_scopes([run.scope] if run.scope else [])
    for c in contradictions.after_token(wanted, a.scope, run.audience, decoded):
        findings.append(Finding(run.check, c.status, c.title, c.detail, c.remedy, c.evidence))
    if a.expires_in is not None and a.expires_in < 300:
        findings.append(
            Finding(
                run.check,
                Severity.WARN,
                f"Tokens live only {a.expires_in} s",
                "Callers that cache tokens for longer will send expired ones.",
                "Refresh before `expires_in` runs out.",
            )
        )
    return findings


def decoding_verdict(run: TokenRun, raw: TokenAttempt | None) -> list[Finding]:
    """The raw Basic request of `decoding_experiment`: does the server URL-decode Basic?"""
    if raw is None or raw.status is None:
        return []
    chars = " ".join(f"`{c}`" for c in client_auth.special_characters(run.creds.client_secret))
    if raw.ok:
        return [
            Finding(
                run.check,
                Severity.INFO,
                "The server also accepted the secret raw in Basic auth",
                f"The secret contains {chars}; this server did not need them URL-encoded.",
            )
        ]
    return [
        Finding(
            run.check,
            Severity.INFO,
            "The server URL-decodes Basic credentials (RFC 6749 §2.3.1)",
            f"The secret contains {chars}. URL-encoded it works; sent raw (as `curl -u`, "
            "`echo -n id:secret | base64` or a hand-built header do) it is rejected: "
            f"{raw.wording()}. A raw `+` becomes a space.",
            "Callers must URL-encode id and secret before base64 (or send them in the POST "
            "body with client_secret_post, if the client allows it).",
        )
    ]


def _scope_or_audience(
    run: TokenRun, first: TokenAttempt, retry: TokenAttempt | None
) -> Finding | None:
    description = (first.error_description or "") + " " + (first.error_hint or "")
    works = retry is not None and retry.ok
    if refusals.is_scope_error(first):
        return Finding(
            run.check,
            Severity.FAIL,
            f"Scope not allowed for client `{run.creds.client_id}`: {run.scope}",
            f"{first.wording()}." + (" Without --scope the client gets a token." if works else ""),
            "Allow the scope on the client (OAuth2Client `spec.scope` / `scopeArray`, XSUAA "
            "`xs-security.json` grants), or request only allowed scopes.",
            {"scope": run.scope},
        )
    if run.audience and (first.error == "invalid_target" or "audience" in description.lower()):
        return Finding(
            run.check,
            Severity.FAIL,
            f"Audience not allowed for client `{run.creds.client_id}`: {run.audience}",
            f"{first.wording()}."
            + (" Without --audience the client gets a token." if works else ""),
            "Whitelist the audience on the client (OAuth2Client `spec.audience`).",
            {"audience": run.audience},
        )
    return None


def request_verdict(
    run: TokenRun, first: TokenAttempt, retry: TokenAttempt | None
) -> list[Finding]:
    """The client was accepted but the request was not: scope, audience, grant type. `retry` is
    `request_retry`'s answer (the same without the scope or audience), if one was sent."""
    if refusals.not_a_token_endpoint(first):
        return [not_a_token_endpoint(run, first)]
    objection = _scope_or_audience(run, first, retry)
    if objection is not None:
        return [objection]
    if first.error in ("unauthorized_client", "unsupported_grant_type"):
        return [
            Finding(
                run.check,
                Severity.FAIL,
                f"Client `{run.creds.client_id}` may not use the client_credentials grant",
                first.wording(),
                "Add `client_credentials` to the client's grant types (OAuth2Client "
                "`spec.grantTypes`).",
            )
        ]
    if first.status is not None and first.status >= 500:
        return [
            Finding(
                run.check,
                Severity.ERROR,
                f"The token endpoint failed (HTTP {first.status})",
                first.wording(),
                "A server-side problem: check the authorization server's logs and health.",
            )
        ]
    if first.error is None:
        return [not_a_token_endpoint(run, first)]
    return [
        Finding(
            run.check,
            Severity.FAIL,
            f"The token request was refused: `{first.error}`",
            first.wording(),
            "The server's description says what it objects to.",
        )
    ]


def not_a_token_endpoint(run: TokenRun, a: TokenAttempt) -> Finding:
    """An answer no token endpoint gives (a login page, HTML, no OAuth error): a wrong URL."""
    login = (
        " It is a login page: a browser flow, not a token endpoint."
        if (refusals.login_page(a))
        else ""
    )
    return Finding(
        run.check,
        Severity.ERROR,
        f"{run.url} did not answer like a token endpoint (HTTP {a.status})",
        f"{a.wording()} (content type {a.content_type or 'not given'}).{login}",
        "Check the URL: Hydra uses /oauth2/token, UAA/XSUAA /oauth/token, Glewlwyd "
        "/api/<plugin>/token, or give the issuer and let discovery find it.",
        {"token_url": run.url, "status": a.status},
    )


def unreachable(run: TokenRun, a: TokenAttempt, unknown: str = "the client") -> Finding:
    """No answer at all: `error`, never a verdict about `unknown`."""
    return Finding(
        run.check,
        Severity.ERROR,
        "Token endpoint unreachable",
        f"POST {run.url}: {a.transport_error}. Nothing is known about {unknown}.",
        "Check the URL and that authcheck can reach it (DNS, NetworkPolicy, egress proxy).",
        {"token_url": run.url},
    )


def refusal(check: str, title: str, reason: str, evidence: dict[str, Any]) -> Finding:
    """Nothing was sent: the credentials (or a password) may not go to that endpoint."""
    return Finding(
        check,
        Severity.ERROR,
        title,
        reason,
        "Send the request to the endpoint the credentials belong to, or pass the client for "
        "this server yourself with --client-id/--client-secret.",
        evidence,
    )
