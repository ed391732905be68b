"""A token's times judged by the server's clock (its `Date` header), not only by ours.

A validating server decides `exp`, `nbf` and `iat` with its own clock; a few minutes of skew make
a fresh token "not yet valid" or keep an old one alive, so the answers' `Date` is compared with
authcheck's clock and with the token.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.net.send import Answer, server_time
from handlers.tokens.info import LEEWAY_S, view, when

#: Below this, clock differences are noise (Date has 1 s resolution, plus network time).
SKEW_NOTICE_S = 60


def clock_findings(
    out: FindingBuilder, answers: list[Answer], now: datetime, token: str | None
) -> list[Finding]:
    """The server's `Date` against our clock, and the token's times by the server's clock."""
    server = next((t for t in (server_time(a) for a in answers) if t is not None), None)
    if server is None:
        return []
    skew = (server - now).total_seconds()
    findings = []
    if abs(skew) >= SKEW_NOTICE_S:
        direction = "ahead of" if skew > 0 else "behind"
        findings.append(
            out(
                Severity.WARN,
                f"The server's clock is {abs(int(skew))} s {direction} authcheck's",
                f"`Date` header: {server.isoformat()}; authcheck: {now.isoformat()}. Token "
                "times (`exp`, `nbf`, `iat`) are judged by the validating server's clock; "
                "a few minutes of skew makes fresh tokens 'not yet valid' or old ones live "
                "longer.",
                "Synchronise clocks with NTP on the servers and on the issuer.",
                skew_s=int(skew),
            )
        )
    if token is None:
        return findings
    decoded = view(token).decoded
    if decoded is None:
        return findings
    leeway = timedelta(seconds=LEEWAY_S)
    exp = decoded.time("exp")
    if exp is not None and exp <= server:
        findings.append(
            out(
                Severity.FAIL,
                f"By the server's clock the token expired {when(exp, server)}",
                f"`exp` is {when(exp, now)} by authcheck's clock; the server's `Date` is "
                f"{server.isoformat()}.",
                "Get a fresh token; if it is fresh already, fix the clock skew.",
            )
        )
    for claim in ("nbf", "iat"):
        moment = decoded.time(claim)
        if moment is not None and moment > server + leeway:
            findings.append(
                out(
                    Severity.FAIL,
                    f"By the server's clock the token is not valid yet (`{claim}` "
                    f"{when(moment, server)})",
                    "The issuer's clock runs ahead of this server's.",
                    "Synchronise the issuer's and the server's clocks (NTP).",
                )
            )
    return findings
