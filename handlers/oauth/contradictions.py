"""Facts that contradict each other: the one place that notices them.

A token answer or an introspection answer can each look fine and still disagree with what was
asked or with the token itself. Each disagreement is a finding, because it is exactly what the
responder cannot see from the green line: the server silently dropped a scope or ignored the
`audience` (Glewlwyd and oidc-provider take RFC 8707 `resource` instead), introspection calls an
expired JWT active (the server's clock or its check is off: gateways that verify the JWT locally
refuse it), or it calls a token inactive that belongs to another client than the one asking (many
servers hide other clients' tokens, so "inactive" is then not proven).

`token` and `binding` use `after_token`; `introspect` and `diagnose` use `after_introspection`,
so one fact is worded and judged the same way wherever it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from handlers.core.model import Severity
from handlers.core.timefmt import from_epoch
from handlers.tokens.info import LEEWAY_S, when
from handlers.tokens.reading import DecodedJwt

SCOPE_NOT_GRANTED = "scope-not-granted"
AUDIENCE_NOT_IN_TOKEN = "audience-not-in-token"
ACTIVE_BUT_EXPIRED = "active-but-expired"
ACTIVE_NOT_YET_VALID = "active-but-not-yet-valid"
INACTIVE_OTHER_CLIENT = "inactive-for-another-client"


@dataclass(frozen=True)
class Contradiction:
    """One disagreement, ready to become a finding of whichever command saw it."""

    key: str
    status: Severity
    title: str
    detail: str
    remedy: str
    evidence: dict[str, Any] = field(default_factory=dict)


def token_client(decoded: DecodedJwt | None) -> str | None:
    """The client a JWT was issued to (`client_id`, `azp`, UAA's `cid`)."""
    if decoded is None:
        return None
    for claim in ("client_id", "azp", "cid"):
        value = decoded.claims.get(claim)
        if isinstance(value, str) and value:
            return value
    return None


def after_token(
    requested_scopes: list[str],
    granted_scope: str | None,
    requested_audience: str | None,
    decoded: DecodedJwt | None,
) -> list[Contradiction]:
    """What a successful token answer contradicts in the request."""
    found: list[Contradiction] = []
    # RFC 6749 §5.1: `scope` may be left out when it equals the request; then the JWT tells.
    if granted_scope is not None:
        granted = granted_scope.split()
        where = "the token answer's `scope`"
    elif decoded is not None and decoded.scopes:
        granted = decoded.scopes
        where = "the token's `scope` claim"
    else:
        granted = []
        where = ""
    missing = [s for s in requested_scopes if where and s not in granted]
    if missing:
        found.append(
            Contradiction(
                SCOPE_NOT_GRANTED,
                Severity.WARN,
                f"Requested scope{'s' if len(missing) > 1 else ''} not granted: "
                f"{' '.join(missing)}",
                f"Asked for {' '.join(requested_scopes)}, {where} says "
                f"{' '.join(granted) or 'nothing'}. Servers may silently drop scopes a client "
                "is not allowed (Glewlwyd, UAA) instead of refusing the request.",
                "Allow the scope on the client (OAuth2Client `spec.scope`, XSUAA grants, the "
                "client's scopes in the server), or stop relying on it.",
                {"missing": missing, "granted": granted},
            )
        )
    if requested_audience and decoded is not None:
        audiences = decoded.audiences
        if requested_audience not in audiences:
            found.append(
                Contradiction(
                    AUDIENCE_NOT_IN_TOKEN,
                    Severity.WARN,
                    f"Audience {requested_audience} was requested but is not in the token",
                    f"The token's `aud` is {', '.join(audiences) or 'empty'}. The server ignored "
                    "the `audience` parameter: Hydra honours it (whitelisted on the client), "
                    "Glewlwyd and oidc-provider take RFC 8707 `resource` instead. A gateway that "
                    "checks the audience (Istio `audiences`, Oathkeeper `target_audience`) will "
                    "refuse this token.",
                    "Ask with the parameter this server understands (`resource=` for RFC 8707 "
                    "servers), or make the gateway expect the audience the token really carries.",
                    {"requested": requested_audience, "aud": audiences},
                )
            )
    return found


def after_introspection(
    body: dict[str, Any],
    active: bool,
    decoded: DecodedJwt | None,
    caller: str | None,
    now: datetime,
) -> list[Contradiction]:
    """What an introspection answer contradicts in the token itself."""
    found: list[Contradiction] = []
    leeway = timedelta(seconds=LEEWAY_S)
    if active:
        exp = (decoded.time("exp") if decoded else None) or from_epoch(body.get("exp"))
        nbf = (decoded.time("nbf") if decoded else None) or from_epoch(body.get("nbf"))
        if exp is not None and exp <= now:
            found.append(
                Contradiction(
                    ACTIVE_BUT_EXPIRED,
                    Severity.WARN,
                    f"Introspection says active, but the token expired {when(exp, now)}",
                    "Its `exp` is in the past by this clock, yet the server calls it active: the "
                    "server's clock is behind, or it does not check expiry. Gateways that verify "
                    "the JWT themselves (Istio, Oathkeeper's jwt authenticator) answer `Jwt is "
                    "expired` while introspection-based ones let it through.",
                    "Check NTP on the authorization server and on this host; get a fresh token.",
                    {"exp": exp.isoformat()},
                )
            )
        if nbf is not None and nbf > now + leeway:
            found.append(
                Contradiction(
                    ACTIVE_NOT_YET_VALID,
                    Severity.WARN,
                    f"Introspection says active, but the token is not valid until {when(nbf, now)}",
                    "Its `nbf` is ahead of this clock by more than the usual leeway: the issuer's "
                    "clock is ahead. Gateways that verify the JWT answer `Jwt not yet valid`.",
                    "Check NTP on the issuer and on the servers that validate the token.",
                    {"nbf": nbf.isoformat()},
                )
            )
        return found
    owner = token_client(decoded)
    if caller and owner and owner != caller:
        found.append(
            Contradiction(
                INACTIVE_OTHER_CLIENT,
                Severity.ERROR,
                f"Inactive for client `{caller}`, but the token belongs to client `{owner}`",
                f"The token's `client_id` is `{owner}`; introspection was called as `{caller}`. "
                "Many servers answer {active:false} for another client's token instead of "
                "refusing the caller (oidc-provider, Glewlwyd without an introspection scope), "
                "so this answer does not prove the token is inactive.",
                f"Introspect as `{owner}` or with a client allowed to introspect every token "
                "(Hydra's admin port; a resource-server client), or check the token at the API "
                "with `/authcheck probe`.",
                {"caller": caller, "token_client": owner},
            )
        )
    return found
