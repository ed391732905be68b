"""Basic credentials in an `Authorization` header: base64 of `id:secret`, and its classic traps.

`echo` without `-n` leaves a newline in the secret; a `+` or `%` in a secret is URL-decoded by
Ory Hydra (RFC 6749 §2.3.1) and taken raw by SAP UAA. The judges here decode the value, register
what they find with the redactor, and show the secret only as a fingerprint.
"""

from __future__ import annotations

import base64
import binascii

from handlers.core.check import CheckContext
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint

#: RFC 6749 §2.3.1 wants client id and secret form-URL-encoded before base64; these characters
#: are where servers that do (Hydra) and servers that do not (UAA) disagree.
_SPECIAL = "+/=%$"


def _kinds(value: str, chars: str) -> dict[str, int]:
    return {c: value.count(c) for c in chars if c in value}


def _count_text(counts: dict[str, int]) -> str:
    return ", ".join(f"`{c}` ({n}×)" for c, n in counts.items())


def _special_findings(out: FindingBuilder, user: str, secret: str, encoded: bool) -> list[Finding]:
    findings = []
    for role, value in (("client id", user), ("secret", secret)):
        counts = _kinds(value, _SPECIAL)
        if not counts:
            continue
        risky = "+" in counts or "%" in counts
        header_note = (
            " The request sets `X-CF-ENCODED-CREDENTIALS: true`, so UAA URL-decodes too."
            if encoded
            else ""
        )
        findings.append(
            out(
                Severity.WARN if risky else Severity.INFO,
                f"The {role} contains {_count_text(counts)}",
                "RFC 6749 §2.3.1 says to form-URL-encode id and secret before base64. Ory Hydra "
                "URL-decodes them, so a raw `+` becomes a space and `%xx` is decoded: the "
                "secret no longer matches. SAP XSUAA/UAA takes them raw unless the request "
                f"sends `X-CF-ENCODED-CREDENTIALS: true`.{header_note}",
                "For Hydra: URL-encode id and secret before base64 (`+` → `%2B`, `/` → `%2F`, "
                "`=` → `%3D`, `%` → `%25`, `$` → `%24`). For UAA: send them raw, or encoded with "
                "`X-CF-ENCODED-CREDENTIALS: true`, or send them in the POST body "
                "(`client_secret_post`).",
                role=role,
                special=counts,
            )
        )
    return findings


def jwt_as_basic(out: FindingBuilder) -> Finding:
    """A JWT after `Basic`: the server reads it as `id:secret` and fails."""
    return out(
        Severity.FAIL,
        "A JWT sent with the Basic scheme",
        "Basic carries base64 of `id:secret`; this is a token, so the server tries to "
        "read it as a client id and password and fails.",
        "Send it as `Authorization: Bearer <token>`.",
    )


def basic_findings(
    out: FindingBuilder, credential: str, ctx: CheckContext, encoded: bool
) -> list[Finding]:
    """The credential after `Basic` (not a JWT: see `jwt_as_basic`): base64, UTF-8, a colon,
    then the id and secret themselves."""
    try:
        raw = base64.b64decode(credential, validate=True)
    except (binascii.Error, ValueError):
        return [
            out(
                Severity.FAIL,
                "Basic credentials are not valid base64",
                "After `Basic ` the server expects base64 of `id:secret`; this is not base64 "
                "(raw `id:secret`, base64url, or a truncated value?).",
                "Build it with `printf '%s' \"$ID:$SECRET\" | base64 -w0`.",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return [
            out(
                Severity.FAIL,
                "Basic credentials decode to bytes that are not text",
                "The base64 is valid, but what it encodes is not `id:secret` in UTF-8.",
                "Rebuild the value from the client id and secret.",
            )
        ]
    ctx.redactor.add(text)
    if ":" not in text:
        return [
            out(
                Severity.FAIL,
                "Basic credentials have no `:` between client id and secret",
                f"The decoded value is one {len(text)}-character string, not `id:secret`.",
                "Encode `id:secret` with the colon, e.g. `printf '%s' \"$ID:$SECRET\" | base64`.",
            )
        ]
    user, _, secret = text.partition(":")
    ctx.redactor.add_basic(user, secret)
    return pair_findings(out, user, secret, encoded)


def pair_findings(out: FindingBuilder, user: str, secret: str, encoded: bool) -> list[Finding]:
    findings = []
    if secret.endswith(("\n", "\r")) or user.endswith(("\n", "\r")):
        findings.append(
            out(
                Severity.FAIL,
                "The Basic credentials end with a newline",
                'The decoded credentials end with a line break: the classic `echo "id:secret" | '
                "base64` without `-n` (or a YAML `|` block). The server compares a secret with "
                "a newline at its end.",
                "Rebuild with `echo -n` or `printf '%s'`, e.g. "
                "`printf '%s' \"$ID:$SECRET\" | base64 -w0`.",
            )
        )
        secret = secret.rstrip("\r\n")
    if not user or not secret:
        findings.append(
            out(
                Severity.FAIL,
                f"The {'client id' if not user else 'secret'} is empty",
                "Basic credentials need both parts around the colon.",
                "Encode `id:secret` with both values filled in.",
            )
        )
    findings.extend(_special_findings(out, user, secret, encoded))
    if not any(f.status.is_problem for f in findings):
        findings.append(
            out(
                Severity.OK,
                "Basic credentials are well-formed",
                f"client id `{user}` ({len(user)} chars); secret {fingerprint(secret)} "
                f"({len(secret)} chars).",
                client_id=user,
                secret_fingerprint=fingerprint(secret),
            )
        )
    return findings


def basic_pair(credential: str) -> tuple[str, str] | None:
    try:
        raw = base64.b64decode(credential, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if ":" not in text:
        return None
    user, _, secret = text.partition(":")
    return user, secret
