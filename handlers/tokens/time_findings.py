"""What a JWT's time claims say about it: expired, expiring, not yet valid, or born expired.

The judges here are pure (the token and "now" in, findings out), so `decode`, `header` and any
future caller agree on when a token is dead and on how much clock skew servers forgive.
"""

from __future__ import annotations

from datetime import datetime

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.timefmt import relative, utc
from handlers.tokens.reading import DecodedJwt
from handlers.tokens.shown import compact

#: How far in the future `nbf`/`iat` may be before we call it a failure rather than skew most
#: servers tolerate (RFC 7519 leaves it to implementations; 60 s to 5 min is common).
LEEWAY_S = 300
#: An access token this close to expiry will likely be dead by the time the call is retried.
EXPIRING_SOON_S = 60


def exp_findings(out: FindingBuilder, decoded: DecodedJwt, now: datetime) -> list[Finding]:
    if "exp" not in decoded.claims:
        return [
            out(
                Severity.WARN,
                "Token has no `exp`: it never expires",
                "Many servers require `exp` and reject tokens without it; a token that never "
                "expires is also a standing risk if leaked.",
                "Configure the issuer to set a lifetime; check whether the API requires `exp`.",
            )
        ]
    exp = decoded.time("exp")
    if exp is None:
        return [_bad_numeric(out, decoded, "exp")]
    if exp <= now:
        return [
            out(
                Severity.FAIL,
                f"Token expired {relative(exp, now)}",
                f"`exp` is {utc(exp)}; now is {utc(now)}.",
                "Request a new token (or refresh it); if it expired just now, compare the clocks "
                "of the client and the server.",
                exp=utc(exp),
            )
        ]
    if (exp - now).total_seconds() <= EXPIRING_SOON_S:
        return [
            out(
                Severity.WARN,
                f"Token expires {relative(exp, now)}",
                f"`exp` is {utc(exp)}: it may be dead by the time a request reaches the server.",
                "Request a fresh token before retrying.",
                exp=utc(exp),
            )
        ]
    # The title is the answer's first line when nothing is wrong, so it says what a responder
    # wants to know at a glance: how long the token lives and what it may do.
    left = relative(exp, now).removeprefix("in ")
    shown = decoded.scopes[:6]
    more = f" (+{len(decoded.scopes) - 6} more)" if len(decoded.scopes) > 6 else ""
    scopes = f", scopes {' '.join(shown)}{more}" if shown else ""
    return [
        out(
            Severity.OK,
            f"Token valid for {left}{scopes}",
            f"Not expired: `exp` {utc(exp)} (signature not verified here).",
        )
    ]


def _bad_numeric(out: FindingBuilder, decoded: DecodedJwt, claim: str) -> Finding:
    value = decoded.claims.get(claim)
    hint = ""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1e11:
        hint = " It looks like milliseconds; NumericDates are seconds since 1970."
    return out(
        Severity.FAIL,
        f"`{claim}` is not a valid NumericDate",
        f"`{claim}` is {compact(value)}.{hint}",
        "The issuer must send seconds since the epoch as a number (RFC 7519 §2).",
    )


def future_findings(out: FindingBuilder, decoded: DecodedJwt, now: datetime) -> list[Finding]:
    findings = []
    for claim, meaning in (("nbf", "not valid before"), ("iat", "issued at")):
        if claim not in decoded.claims:
            continue
        when = decoded.time(claim)
        if when is None:
            findings.append(_bad_numeric(out, decoded, claim))
            continue
        ahead = (when - now).total_seconds()
        if ahead <= 0:
            continue
        within = ahead <= LEEWAY_S
        findings.append(
            out(
                Severity.WARN if within else Severity.FAIL,
                f"Clock skew: `{claim}` ({meaning}) is {int(ahead)} s in the future",
                f"`{claim}` is {utc(when)}; this bot's clock says {utc(now)}. "
                + (
                    f"That is within a {LEEWAY_S} s leeway many servers allow, but a server "
                    "with a smaller leeway rejects it."
                    if within
                    else f"That is beyond a {LEEWAY_S} s leeway: servers reject it."
                ),
                "Compare the clocks of the issuer, the client and the API server (NTP); the "
                "`Date` header of each response shows the server's clock.",
                leeway_s=LEEWAY_S,
                ahead_s=int(ahead),
            )
        )
    exp, iat = decoded.time("exp"), decoded.time("iat")
    if exp is not None and iat is not None and exp < iat:
        findings.append(
            out(
                Severity.FAIL,
                "`exp` is before `iat`: the token was born expired",
                f"`iat` {utc(iat)}, `exp` {utc(exp)}.",
                "The issuer's token lifetime or clock is misconfigured.",
            )
        )
    return findings
