"""What can be told about a token from the token alone, as findings (no network, no key).

Shape errors (truncated paste, JWE, standard base64), `alg: none`, a cut signature, expiry, clock
skew and the wrong kind of token are all visible offline. `decode` reports all of it and `header`
quotes its problems, both through `token_findings`. The signature is never verified here and the
findings say so; the token itself appears only as fingerprint and length.
"""

from __future__ import annotations

from datetime import datetime

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.tokens.reading import (
    DecodedJwt,
    JwtShapeError,
    decode_unverified,
    opaque_kind,
    signature_length_problem,
    token_kind,
)
from handlers.tokens.shown import describe, plain
from handlers.tokens.time_findings import exp_findings, future_findings

NOT_VERIFIED = (
    "Decoding reads the token without any key: a forged or re-signed token decodes exactly like "
    "a genuine one. Whether the issuer signed it is decided by the server (JWKS, `kid`), or by "
    "`introspect`."
)


def builder(check: str, token: str) -> FindingBuilder:
    """Findings of `check` that all carry the token's fingerprint and length as evidence."""
    return FindingBuilder(check, {"fingerprint": fingerprint(token), "length": len(token)})


def _shape_findings(out: FindingBuilder, exc: JwtShapeError) -> list[Finding]:
    if exc.kind == "empty":
        return [
            out(
                Severity.FAIL,
                "Nothing left to decode",
                "After removing `Authorization:`, `Bearer` and quotes, no token remained.",
                "Paste the token itself, e.g. `decode eyJhbGciOi…`.",
            )
        ]
    if exc.kind == "jwe":
        return [
            out(
                Severity.INFO,
                "Encrypted token (JWE, 5 segments): its claims cannot be read here",
                exc.reason,
                "Only the recipient holding the decryption key can read it; to learn whether it "
                "is active, run `introspect` against its issuer.",
                segments=exc.segments,
            )
        ]
    if exc.kind == "segments":
        return [_segment_finding(out, exc)]
    hints = {
        "base64": (
            "A character was changed or lost on the way: a truncated or line-wrapped paste, "
            "a URL-encoded token, or standard base64 (`+`, `/`) where base64url (`-`, `_`) is "
            "required."
        ),
        "utf8": "The segment is not text; the token was probably cut in the wrong place.",
        "json": "The segment does not decode to JSON; usually a truncated or edited token.",
        "object": "A JWT header and payload are JSON objects; this one is something else.",
    }
    return [
        out(
            Severity.FAIL,
            f"Token is broken: {exc.reason}",
            hints.get(exc.kind, ""),
            "Copy the token again from its source in one piece (no line breaks, no quotes, "
            "nothing URL-encoded), or request a new one.",
            segments=exc.segments,
            part=exc.part,
        )
    ]


def _segment_finding(out: FindingBuilder, exc: JwtShapeError) -> Finding:
    count = exc.segments
    if count == 2:
        detail = (
            "The first segment is a JWT header, but the third segment is missing: either the "
            "paste was cut short at a dot, or this is a JWS whose signature was dropped."
        )
        remedy = "Copy the whole token again (header.payload.signature, two dots)."
    elif count == 1:
        detail = "Only the header survived: the token was cut off at its first dot."
        remedy = "Copy the whole token again (header.payload.signature, two dots)."
    else:
        detail = (
            f"With {count} segments this is neither a JWT (3) nor a JWE (5): two tokens glued "
            "together, or a token with extra text appended?"
        )
        remedy = "Send exactly one token; check what was concatenated to it."
    return out(Severity.FAIL, f"Not a complete JWT: {exc.reason}", detail, remedy, segments=count)


def _opaque_finding(out: FindingBuilder, description: str, kind: str) -> Finding:
    if kind in ("refresh", "code"):
        what = "refresh token" if kind == "refresh" else "authorization code"
        return out(
            Severity.FAIL,
            f"This is {description}, not an access token",
            f"APIs accept access tokens only; a {what} is exchanged at the token endpoint.",
            "Send the `access_token` from the token response (for Hydra it starts with "
            "`ory_at_`), or exchange this one at the token endpoint first.",
            kind=kind,
        )
    return out(
        Severity.INFO,
        "Opaque token: only introspection can tell if it is active — run `introspect`",
        f"This looks like {description}. It carries no readable claims; its expiry, scopes and "
        "audience are known only to its issuer.",
        "Run `introspect <token>` to ask the issuer whether it is active and what it grants.",
        kind=kind,
    )


def _alg_findings(out: FindingBuilder, decoded: DecodedJwt) -> list[Finding]:
    alg = decoded.header.get("alg")
    if not isinstance(alg, str) or not alg:
        return [
            out(
                Severity.FAIL,
                "Header has no `alg`",
                "Every JWS header names its signing algorithm; without one no server can check it.",
                "The token was not made by a real issuer (or was edited); request a new one.",
            )
        ]
    if alg.lower() == "none":
        return [
            out(
                Severity.FAIL,
                "Unsigned token: `alg` is `none`",
                "Anyone can mint a token like this; servers must reject it, and do.",
                "Get a signed token from the issuer; never configure a server to accept `none`.",
                alg=alg,
            )
        ]
    if not decoded.signature:
        return [
            out(
                Severity.FAIL,
                f"Signature segment is empty although `alg` is `{plain(alg)}`",
                "The token ends with a dot and nothing after it: the signature was cut off.",
                "Copy the whole token again, including the part after the last dot.",
                alg=alg,
            )
        ]
    return []


def _truncation_findings(out: FindingBuilder, token: str) -> list[Finding]:
    """A signature too short (or long) for its `alg` (`tokens.signature_length_problem`, the
    same test `header` and `probe` apply)."""
    problem = signature_length_problem(token)
    if problem is None:
        return []
    return [
        out(
            Severity.FAIL,
            "Truncated token: the signature does not fit its `alg`",
            f"The token decodes, but {problem}. No server can verify it.",
            "Copy the whole token again (one line, nothing cut at the end).",
        )
    ]


def _kind_findings(out: FindingBuilder, decoded: DecodedJwt) -> list[Finding]:
    kind = token_kind(decoded)
    if kind == "refresh":
        return [
            out(
                Severity.FAIL,
                "This is a refresh token, not an access token",
                "Its `typ`/`token_use` marks it as a refresh token; APIs reject those.",
                "Send the `access_token` from the token response; use the refresh token only at "
                "the token endpoint to get a new access token.",
                kind=kind,
            )
        ]
    if kind == "id":
        return [
            out(
                Severity.WARN,
                "This looks like an ID token, not an access token",
                "It carries `nonce`/`at_hash` or is marked as an ID token; an ID token tells a "
                "client who logged in, it does not grant API access (its audience is the client).",
                "Send the `access_token` from the token response instead of the `id_token`.",
                kind=kind,
            )
        ]
    return []


def _not_one_token(out: FindingBuilder, token: str) -> list[Finding]:
    """Basic credentials, or a value with whitespace inside: nothing to decode as one token."""
    words = token.split()
    if len(words) > 1 and words[0].lower() == "basic":
        return [
            out(
                Severity.INFO,
                "These are Basic credentials, not a token",
                "`Basic` carries base64 of `client_id:secret`; there is no JWT to decode.",
                "Run `header Basic …` to check the credentials (encoding, newline, special "
                "characters).",
            )
        ]
    if any(c.isspace() for c in token):
        return [
            out(
                Severity.FAIL,
                "The token contains whitespace",
                "A token is one unbroken word; a space or line break inside means a wrapped "
                "line, two values pasted together, or a scheme we do not recognise.",
                "Paste the token alone, in one piece.",
            )
        ]
    return []


def _jwt_findings(out: FindingBuilder, token: str, now: datetime) -> list[Finding]:
    """A JWT's header, claims and problems, or why it does not decode."""
    try:
        decoded = decode_unverified(token)
    except JwtShapeError as exc:
        return _shape_findings(out, exc)
    title, detail = describe(decoded, now)
    return [
        out(Severity.INFO, title, detail, kind=token_kind(decoded)),
        *_alg_findings(out, decoded),
        *_truncation_findings(out, token),
        *exp_findings(out, decoded, now),
        *future_findings(out, decoded, now),
        *_kind_findings(out, decoded),
    ]


def token_findings(token: str, now: datetime, check: str) -> list[Finding]:
    """All findings of `check` about one bare token, read offline; `decode` reports them all and
    `header` its problems."""
    out = builder(check, token)
    findings = _not_one_token(out, token)
    if findings:
        return [*findings, out(Severity.INFO, "Signature NOT verified", NOT_VERIFIED)]
    opaque = opaque_kind(token)
    if opaque is not None:
        return [
            _opaque_finding(out, *opaque),
            out(
                Severity.INFO,
                "Signature NOT verified (nothing was verified)",
                "An opaque token has no signature to read; only its issuer knows if it is valid.",
            ),
        ]
    return [
        *_jwt_findings(out, token, now),
        out(Severity.INFO, "Signature NOT verified", NOT_VERIFIED),
    ]
