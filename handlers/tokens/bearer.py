"""A bearer token in an `Authorization` header: characters RFC 6750 allows, and the token itself.

The token is judged offline by `tokens.findings` (the same findings `decode` reports); here only
its problems are quoted, or one line saying the header is well-formed and when the token expires.
"""

from __future__ import annotations

import re

from handlers.core.check import CheckContext
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.tokens.findings import token_findings

#: RFC 6750 §2.1 b64token: the characters a Bearer token may consist of.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def bearer_findings(out: FindingBuilder, token: str, ctx: CheckContext) -> list[Finding]:
    """The token after `Bearer`: a JWT cut at its first dot, characters RFC 6750 forbids, then
    what the token itself says offline."""
    if token.startswith("eyJ") and "." not in token:
        return [
            out(
                Severity.FAIL,
                "Truncated JWT: only the header segment is present",
                "The value starts like a JWT (`eyJ`) but has no dots.",
                "Copy the whole token again (header.payload.signature).",
            )
        ]
    findings = []
    if not _B64TOKEN.fullmatch(token):
        bad = sorted({c for c in token if not _B64TOKEN.fullmatch(c)})
        kinds = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        findings.append(
            out(
                Severity.WARN,
                "Bearer token contains characters a token may not have",
                f"RFC 6750 b64token allows letters, digits and `-._~+/` (then `=`); found {kinds}.",
                "Check the token was not URL-encoded, JSON-escaped or mixed with other text.",
            )
        )
    return findings + _summary(out, token, ctx)


def _summary(out: FindingBuilder, token: str, ctx: CheckContext) -> list[Finding]:
    """The findings `decode` reports (`token_findings`), shortened to what matters here:
    its problems if it has any, otherwise one ok line with the expiry."""
    decoded = token_findings(token, ctx.clock(), out.check)
    problems = [f for f in decoded if f.status.is_problem]
    if problems:
        return [
            Finding(
                out.check,
                f.status,
                f.title,
                f.detail,
                f"{f.remedy} (`decode` shows more.)",
                f.evidence,
            )
            for f in problems
        ]
    expiry = next((f.title for f in decoded if f.status is Severity.OK), None)
    if expiry is None:
        first = decoded[0]
        return [
            out(
                Severity.OK,
                "Header is well-formed: Bearer <token that cannot be read offline>",
                f"{first.title}. {first.detail}",
                "Run `introspect` to learn whether the token is active.",
            )
        ]
    return [
        out(
            Severity.OK,
            "Header is well-formed: Bearer <JWT>",
            f"{expiry} (signature not verified; `decode` shows all claims).",
        )
    ]
