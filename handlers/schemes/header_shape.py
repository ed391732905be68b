"""The shape of an `Authorization` value: scheme spelling, whitespace, quotes, a missing part.

These are the mistakes that turn a good credential into a 401 before anyone reads it, whatever the
scheme: a misspelt or bare scheme, line breaks copied from a file, quotes copied from JSON. Each
judge is pure; credentials appear only as fingerprint and length (`credential_builder`).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.schemes.basic import basic_pair
from handlers.schemes.pasted import QUOTE_CHARS

#: The check these findings belong to: they lint one pasted `Authorization` header.
CHECK = "header"
KNOWN_SCHEMES = ("Bearer", "Basic", "DPoP", "Digest", "Negotiate", "Token", "MAC", "HOBA")


def credential_builder(check: str, credential: str) -> FindingBuilder:
    """Findings of `check` carrying the credential's fingerprint and length (none if empty)."""
    evidence: dict[str, Any] = {}
    if credential:
        evidence = {"fingerprint": fingerprint(credential), "length": len(credential)}
    return FindingBuilder(check, evidence)


def whitespace_findings(out: FindingBuilder, value: str, origin: str) -> list[Finding]:
    findings = []
    inner = value.strip(" \t")
    if re.search(r"[\r\n]", inner.strip("\r\n")):
        findings.append(
            out(
                Severity.FAIL,
                "Line break inside the header value",
                "A CR or LF inside the value splits the header (or the request is refused); a "
                "token copied from a wrapped terminal or a file read with its newline does this.",
                "Remove the line breaks: the value is a single line (`tr -d '\\n'`).",
            )
        )
    elif inner != inner.strip("\r\n"):
        findings.append(
            out(
                Severity.FAIL,
                "Trailing line break in the header value",
                "The value ends with a newline, e.g. from `$(cat token.txt)` or `echo` into a "
                "file: the token the server compares is not the token that was issued.",
                "Strip the newline (`tr -d '\\n'`, or `echo -n`).",
            )
        )
    leading = value[: len(value) - len(value.lstrip(" \t"))]
    trailing = value[len(value.rstrip(" \t")) :]
    if trailing or (origin == "value" and leading) or len(leading) > 1 or "\t" in leading:
        findings.append(
            out(
                Severity.WARN,
                "Whitespace around the header value",
                f"{len(leading)} leading and {len(trailing)} trailing space/tab characters. "
                "Most servers trim them, but some proxies and token caches compare the raw value.",
                "Send `Authorization: <scheme> <credentials>` with no extra spaces.",
            )
        )
    return findings


def scheme_findings(out: FindingBuilder, scheme: str) -> tuple[str | None, list[Finding]]:
    """The canonical scheme the value means (or None if unknown) and lints about how it is
    spelled."""
    exact = {s.lower(): s for s in KNOWN_SCHEMES}
    canonical = exact.get(scheme.lower())
    if canonical is not None:
        if scheme != canonical:
            return canonical, [
                out(
                    Severity.INFO,
                    f"Scheme written `{scheme}` instead of `{canonical}`",
                    "Schemes are case-insensitive (RFC 7235 §2.1), so this is legal, but some "
                    "servers and gateways only match the exact spelling.",
                    f"Write `{canonical}` if the server answers 401 without an error code.",
                )
            ]
        return canonical, []
    close = difflib.get_close_matches(scheme.lower(), list(exact), n=1, cutoff=0.6)
    if close and len(scheme) <= 12:
        guess = exact[close[0]]
        return guess, [
            out(
                Severity.FAIL,
                f"Misspelt scheme `{scheme}` (did you mean `{guess}`?)",
                "The server does not know this scheme and treats the request as unauthenticated.",
                f"Write `Authorization: {guess} <credentials>`.",
            )
        ]
    return None, [
        out(
            Severity.WARN,
            f"Unknown authentication scheme ({len(scheme)} characters)",
            "The first word of the value is not a scheme this bot knows (Bearer, Basic, DPoP, "
            "…); if it is the token itself, the scheme is missing.",
            "Write `Authorization: Bearer <token>` (or `Basic <base64>`).",
            scheme_fingerprint=fingerprint(scheme),
        )
    ]


def missing_credential(scheme: str) -> Finding:
    """A scheme word alone: the credential after it is missing, typically an empty variable."""
    return credential_builder(CHECK, "")(
        Severity.FAIL,
        f"Missing token: `{scheme}` with nothing after it",
        "The header names the scheme but carries no credentials, so the server answers 401 as "
        "for no credentials at all. Usually the variable that should hold the token was empty "
        '(`-H "Authorization: Bearer $TOKEN"` with `TOKEN` unset, or a token request that failed).',
        f"Check that the token was obtained and the variable is set: `{scheme} <token>`.",
    )


def missing_scheme(out: FindingBuilder, token: str, looks_like_jwt: bool) -> Finding:
    if looks_like_jwt or token.startswith("eyJ"):
        fix = "Write `Authorization: Bearer <token>`."
        what = "It looks like a JWT, so the scheme is `Bearer`."
    elif basic_pair(token) is not None:
        fix = "Write `Authorization: Basic <base64>`."
        what = "It decodes to `id:secret`, so the scheme is `Basic`."
    else:
        fix = "Write `Authorization: Bearer <token>` (or `Basic <base64 of id:secret>`)."
        what = "Servers read the first word as the scheme; there is only one word."
    return out(Severity.FAIL, "Missing scheme: the value is a bare credential", what, fix)


def strip_quotes(out: FindingBuilder, credential: str) -> tuple[str, list[Finding]]:
    if credential and (credential[0] in QUOTE_CHARS or credential[-1] in QUOTE_CHARS):
        bare = credential.strip(QUOTE_CHARS)
        return bare, [
            out(
                Severity.FAIL,
                "Quotes around the credentials",
                "The quote characters are sent as part of the token, so it no longer matches "
                "anything the issuer made (a JSON string or a shell variable copied with quotes).",
                'Remove the quotes: `Authorization: Bearer eyJ…`, not `Bearer "eyJ…"`.',
            )
        ]
    return credential, []
