"""What an RFC 7662 answer says about the token: pure judges, no requests.

`{"active": true}` comes with the token's client, scopes, audience and expiry to check against
what was required. `{"active": false}` never says why (expired, revoked, unknown to this server,
and at Hydra a scope asked for that the token lacks all look the same), so the verdict is followed
by what the token itself shows; an inactive answer for another client's token proves nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.timefmt import from_epoch
from handlers.oauth import contradictions
from handlers.oauth.discovery import same_issuer
from handlers.oauth.introspection import IntrospectionCall
from handlers.tokens.info import LEEWAY_S, TokenView, when
from handlers.tokens.reading import DecodedJwt

#: An access token this close to expiry will likely be dead by the time the call is retried.
EXPIRING_SOON_S = 300


def fresh_token_hint(issuer: str | None) -> str:
    where = issuer or "<issuer or token URL>"
    return (
        f"Get a fresh token (`token {where} --secret <namespace>/<secret>` shows "
        "whether the client can get one) and retry the call with it."
    )


def _active(out: FindingBuilder, body: dict[str, Any], now: datetime) -> Finding:
    """What the server says the active token is."""
    scopes = str(body.get("scope") or "").split()
    aud = body.get("aud")
    audiences = [aud] if isinstance(aud, str) else [str(a) for a in aud or [] if a]
    token_use = body.get("token_use")
    lines = [
        f"client: {body.get('client_id', 'not given')}",
        f"subject: {body.get('sub', 'not given')}",
        f"scopes: {' '.join(scopes) or 'none'}",
        f"audience: {', '.join(audiences) or 'none'}",
        f"issuer: {body.get('iss', 'not given')}",
        f"expires: {when(from_epoch(body.get('exp')), now)}",
    ]
    if body.get("iat") is not None:
        lines.append(f"issued: {when(from_epoch(body.get('iat')), now)}")
    if token_use or body.get("token_type"):
        lines.append(f"token use: {token_use or '-'}, type: {body.get('token_type') or '-'}")
    return out(
        Severity.OK,
        "Token is active",
        "\n".join(lines),
        "",
        active=True,
        client_id=body.get("client_id"),
        sub=body.get("sub"),
        scope=" ".join(scopes),
        aud=audiences,
        iss=body.get("iss"),
        exp=body.get("exp"),
        token_use=token_use,
    )


def _granted_scopes(out: FindingBuilder, scopes: list[str], required: list[str]) -> Finding:
    missing = [s for s in required if s not in scopes]
    if not missing:
        return out(Severity.OK, "Token has the required scopes", " ".join(required))
    return out(
        Severity.FAIL,
        f"Token lacks scope{'s' if len(missing) > 1 else ''}: {' '.join(missing)}",
        f"Required: {' '.join(required)}. Granted: {' '.join(scopes) or 'none'}. "
        "Under Istio this shows as 403 `RBAC: access denied`; under Oathkeeper "
        "(scope_strategy none) as 401, because Hydra answers active:false.",
        "Request the token with the scope (`scope=` in the token call) and make sure "
        "the client is allowed it (OAuth2Client `spec.scope`/`scopeArray`).",
        missing=missing,
    )


def _active_warnings(
    out: FindingBuilder,
    body: dict[str, Any],
    tv: TokenView,
    expected_issuer: str | None,
    now: datetime,
) -> list[Finding]:
    """Active, but a refresh token, about to expire, or from an issuer spelled differently."""
    findings = []
    exp = from_epoch(body.get("exp"))
    if body.get("token_use") == "refresh_token" or tv.kind == "refresh":
        findings.append(
            out(
                Severity.WARN,
                "This is a refresh token, not an access token",
                "A refresh token is active at introspection but resource servers and gateways "
                "reject it as a Bearer token.",
                "Exchange it at the token endpoint (grant_type=refresh_token) and send the "
                "access_token from the answer.",
            )
        )
    if exp is not None and now <= exp < now + timedelta(seconds=EXPIRING_SOON_S):
        findings.append(
            out(
                Severity.WARN,
                f"Token expires {when(exp, now)}",
                "It is active now but will not be for long: a call retried in a few minutes "
                "will get 401.",
                "Refresh tokens before they expire (most clients refresh at 80-90 % of "
                "`expires_in`).",
            )
        )
    iss = body.get("iss")
    if expected_issuer and isinstance(iss, str) and not same_issuer(iss, expected_issuer):
        findings.append(
            out(
                Severity.WARN,
                f"Token issuer {iss} differs from {expected_issuer}",
                "The server knows the token, but gateways that check `iss` compare it exactly.",
                "Make the gateway's trusted issuer match the token's `iss` exactly.",
            )
        )
    return findings


def active_findings(
    out: FindingBuilder,
    body: dict[str, Any],
    tv: TokenView,
    required: list[str],
    expected_issuer: str | None,
    now: datetime,
) -> list[Finding]:
    """The token is active: what it is, whether it has the required scopes, what is odd."""
    findings = [_active(out, body, now)]
    if required:
        scopes = str(body.get("scope") or "").split()
        findings.append(_granted_scopes(out, scopes, required))
    return findings + _active_warnings(out, body, tv, expected_issuer, now)


def _jwt_reasons(
    out: FindingBuilder,
    decoded: DecodedJwt,
    required: list[str],
    expected_issuer: str | None,
    now: datetime,
) -> list[Finding]:
    """What a JWT's own claims say about why it is inactive (read without verifying)."""
    findings = []
    exp = decoded.time("exp")
    iss = decoded.claims.get("iss")
    if exp is not None and exp <= now:
        findings.append(
            out(
                Severity.FAIL,
                f"The token expired {when(exp, now)}",
                "Its `exp` claim is in the past (read without verifying the signature).",
                fresh_token_hint(expected_issuer),
                exp=decoded.claims.get("exp"),
            )
        )
    for claim in ("nbf", "iat"):
        moment = decoded.time(claim)
        if moment is not None and moment > now + timedelta(seconds=LEEWAY_S):
            findings.append(
                out(
                    Severity.FAIL,
                    f"The token is not valid yet: `{claim}` is {when(moment, now)}",
                    "The issuer's clock is ahead of this one, or the token was minted with a "
                    "future time.",
                    "Check NTP on the issuer and on the servers that validate the token.",
                )
            )
    if expected_issuer and isinstance(iss, str) and not same_issuer(iss, expected_issuer):
        findings.append(
            out(
                Severity.FAIL,
                "The token comes from another issuer",
                f"Its `iss` is {iss}; this introspection endpoint belongs to "
                f"{expected_issuer}. A server only knows the tokens it issued.",
                "Introspect at the token's own issuer (--issuer), or get a token from this one.",
                iss=iss,
            )
        )
    missing = [s for s in required if s not in decoded.scopes]
    if missing:
        findings.append(
            out(
                Severity.FAIL,
                f"The token lacks scope{'s' if len(missing) > 1 else ''} {' '.join(missing)}",
                f"Its scopes: {' '.join(decoded.scopes) or 'none'}. Oathkeeper sends the "
                "required scopes with the introspection call, and Hydra then answers "
                "active:false for a token that lacks one.",
                "Request the token with that scope and make sure the client may have it.",
                missing=missing,
            )
        )
    return findings


def _unexplained(out: FindingBuilder, tv: TokenView, expected_issuer: str | None) -> Finding:
    """Nothing in the token explains the inactive answer: the likely causes."""
    decoded = tv.decoded
    what = (
        "It is a JWT whose times, issuer and scopes look fine"
        if decoded is not None
        else (f"It is {tv.opaque[0]}" if tv.opaque else "It is opaque")
        + ", so nothing more can be read from it"
    )
    return out(
        Severity.INFO,
        "Nothing in the token itself explains it",
        f"{what}. Likely causes: it expired (Hydra's default access-token lifetime is "
        "1 h), it was revoked, or it was issued by another instance or database of the "
        "server (a reinstall, another cluster, a truncated paste)."
        + (
            " Also, some servers (oidc-provider among them) do not introspect JWT "
            "access tokens at all and answer active:false for every one: check the JWT "
            "at the resource with `probe`."
            if decoded is not None
            else ""
        ),
        fresh_token_hint(expected_issuer),
    )


def inactive_findings(
    out: FindingBuilder,
    server: str,
    tv: TokenView,
    required: list[str],
    expected_issuer: str | None,
    now: datetime,
) -> list[Finding]:
    """`{"active": false}`, followed by whatever the token itself shows about why."""
    verdict = out(
        Severity.FAIL,
        "Token is not active",
        f'{server} answered {{"active": false}}. Introspection never says why: expired, '
        "revoked, unknown to this server (issued by another one), and — at Hydra — a scope "
        "asked for in the request that the token lacks, all look the same. What the token "
        "shows:",
        fresh_token_hint(expected_issuer),
    )
    reasons: list[Finding] = []
    if tv.decoded is not None:
        reasons += _jwt_reasons(out, tv.decoded, required, expected_issuer, now)
    if tv.kind == "refresh":
        reasons.append(
            out(
                Severity.WARN,
                "This looks like a refresh token",
                "Refresh tokens are not accepted where an access token is expected.",
                "Send the access_token from the token answer instead.",
            )
        )
    if not reasons:
        reasons.append(_unexplained(out, tv, expected_issuer))
    return [verdict, *reasons]


def answer_findings(
    out: FindingBuilder,
    final: IntrospectionCall,
    tv: TokenView,
    required: list[str],
    expected_issuer: str | None,
    caller: str | None,
    now: datetime,
) -> list[Finding]:
    """The answer's verdict, plus what contradicts it (`caller`: the client that asked, when
    that matters; Hydra's admin port introspects every client's tokens)."""
    body = final.body or {}
    odd = contradictions.after_introspection(body, final.active, tv.decoded, caller, now)
    if final.active:
        findings = active_findings(out, body, tv, required, expected_issuer, now)
    else:
        findings = inactive_findings(out, final.url, tv, required, expected_issuer, now)
        if odd:
            # {active:false} for another client's token proves nothing: not a `fail`.
            findings[0] = replace(findings[0], status=Severity.WARN)
    findings.extend(out(c.status, c.title, c.detail, c.remedy, **c.evidence) for c in odd)
    return findings
