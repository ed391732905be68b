"""`decode <jwt>`: read a token offline and point at what would make a server reject it.

Needs no network and no key, so it is the first thing to run on a pasted token: shape errors
(truncated paste, JWE, standard base64), `alg: none`, expiry, clock skew and the wrong kind of
token are all visible from the token alone. The signature is never verified here and every report
says so, so nobody mistakes "decodes fine" for "is valid". The token and its signature never
appear in the output; claims do (they are not secrets) and so does the token's fingerprint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.core.timefmt import relative, utc
from handlers.tokens.reading import (
    DecodedJwt,
    JwtShapeError,
    decode_unverified,
    opaque_kind,
    signature_length_problem,
    strip_scheme,
    token_kind,
)

CHECK = "decode"
#: How far in the future `nbf`/`iat` may be before we call it a failure rather than skew most
#: servers tolerate (RFC 7519 leaves it to implementations; 60 s to 5 min is common).
LEEWAY_S = 300
#: An access token this close to expiry will likely be dead by the time the call is retried.
EXPIRING_SOON_S = 60
TIME_CLAIMS = ("exp", "nbf", "iat", "auth_time")
_MAX_CLAIM_CHARS = 200

NOT_VERIFIED = (
    "Decoding reads the token without any key: a forged or re-signed token decodes exactly like "
    "a genuine one. Whether the issuer signed it is decided by the server (JWKS, `kid`), or by "
    "`introspect`."
)


@dataclass(frozen=True)
class _Out:
    """Builds findings that all carry the token's fingerprint as evidence."""

    token: str

    def __call__(
        self,
        status: Severity,
        title: str,
        detail: str = "",
        remedy: str = "",
        **evidence: Any,
    ) -> Finding:
        return Finding(
            CHECK,
            status,
            title,
            detail,
            remedy,
            {"fingerprint": fingerprint(self.token), "length": len(self.token), **evidence},
        )


def compact(value: Any) -> str:
    """Compact JSON for a claim or header value, cut short so one claim cannot flood a reply."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= _MAX_CLAIM_CHARS else text[: _MAX_CLAIM_CHARS - 1] + "…"


def plain(value: Any) -> str:
    """A short string as itself (for titles), anything else as compact JSON."""
    if isinstance(value, str) and value.isprintable() and len(value) <= 80:
        return value
    return compact(value)


def _time_line(decoded: DecodedJwt, claim: str, now: datetime) -> str:
    when = decoded.time(claim)
    if when is None:
        return f"{claim}: {compact(decoded.claims[claim])} (not a NumericDate)"
    return f"{claim}: {utc(when)} ({relative(when, now)})"


def claims_text(decoded: DecodedJwt, now: datetime) -> str:
    """One claim per line; times as UTC and relative to now, everything else compact JSON."""
    lines = []
    for key, value in decoded.claims.items():
        if key in TIME_CLAIMS:
            lines.append(_time_line(decoded, key, now))
        else:
            lines.append(f"{key}: {compact(value)}")
    return "\n".join(lines) or "(no claims)"


def _shape_findings(out: _Out, exc: JwtShapeError) -> list[Finding]:
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


def _segment_finding(out: _Out, exc: JwtShapeError) -> Finding:
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


def _opaque_finding(out: _Out, description: str, kind: str) -> Finding:
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


def _alg_findings(out: _Out, decoded: DecodedJwt) -> list[Finding]:
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


def _truncation_findings(out: _Out, token: str) -> list[Finding]:
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


def _exp_findings(out: _Out, decoded: DecodedJwt, now: datetime) -> list[Finding]:
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
    evidence = {"exp": utc(exp)}
    if exp <= now:
        return [
            out(
                Severity.FAIL,
                f"Token expired {relative(exp, now)}",
                f"`exp` is {utc(exp)}; now is {utc(now)}.",
                "Request a new token (or refresh it); if it expired just now, compare the clocks "
                "of the client and the server.",
                **evidence,
            )
        ]
    if (exp - now).total_seconds() <= EXPIRING_SOON_S:
        return [
            out(
                Severity.WARN,
                f"Token expires {relative(exp, now)}",
                f"`exp` is {utc(exp)}: it may be dead by the time a request reaches the server.",
                "Request a fresh token before retrying.",
                **evidence,
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


def _bad_numeric(out: _Out, decoded: DecodedJwt, claim: str) -> Finding:
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


def _future_findings(out: _Out, decoded: DecodedJwt, now: datetime) -> list[Finding]:
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


def _kind_findings(out: _Out, decoded: DecodedJwt) -> list[Finding]:
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


def _describe(decoded: DecodedJwt, now: datetime) -> tuple[str, str]:
    header = decoded.header
    bits = [f"{k} {plain(header[k])}" for k in ("alg", "typ", "kid") if k in header]
    title = "JWT header: " + (", ".join(bits) if bits else "(empty)")
    kind = token_kind(decoded)
    summary = [f"kind: {kind}"]
    if decoded.audiences:
        summary.append(f"aud: {', '.join(decoded.audiences)}")
    if decoded.scopes:
        summary.append(f"scopes: {' '.join(decoded.scopes)}")
    detail = (
        "header: "
        + compact(header)
        + "\n"
        + "; ".join(summary)
        + "\n\n"
        + claims_text(decoded, now)
    )
    return title, detail


@dataclass(frozen=True)
class DecodeCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        raw = args.text("token") or ""
        token = strip_scheme(raw)
        ctx.redactor.add(token)
        if len(token.split()) > 1:  # e.g. `Basic <base64>`: the credential word alone, too
            ctx.redactor.add(token.split()[-1])
        return [*_quote_findings(raw, token), *inspect(token, ctx.clock())]


_QUOTE_CHARS = "\"'`"


def _quote_findings(raw: str, token: str) -> list[Finding]:
    """Quotes that were pasted around the token, flagged as `header` flags them.

    One pair around the whole input is shell quoting (as `header` reads it) and says nothing;
    quotes left after that (`Bearer "eyJ…"`, `Authorization: 'eyJ…'`) were copied with the
    token, and a client sending them sends a token that matches nothing the issuer made."""
    text = raw.strip()
    if len(text) >= 2 and text[0] in _QUOTE_CHARS and text[-1] == text[0]:
        text = text[1:-1]
    if not token or any(q in token for q in _QUOTE_CHARS):
        return []
    if not any(q in text for q in _QUOTE_CHARS):
        return []
    return [
        _Out(token)(
            Severity.FAIL,
            "Quotes around the credentials",
            "The quote characters are sent as part of the token, so it no longer matches "
            "anything the issuer made (a JSON string or a shell variable copied with quotes). "
            "They were removed here to read the token.",
            'Remove the quotes: `Authorization: Bearer eyJ…`, not `Bearer "eyJ…"`.',
        )
    ]


def inspect(token: str, now: datetime) -> list[Finding]:
    """All decode findings for one bare token; shared by `header` for its summary."""
    out = _Out(token)
    findings: list[Finding] = []
    words = token.split()
    if len(words) > 1 and words[0].lower() == "basic":
        findings.append(
            out(
                Severity.INFO,
                "These are Basic credentials, not a token",
                "`Basic` carries base64 of `client_id:secret`; there is no JWT to decode.",
                "Run `header Basic …` to check the credentials (encoding, newline, special "
                "characters).",
            )
        )
    elif any(c.isspace() for c in token):
        findings.append(
            out(
                Severity.FAIL,
                "The token contains whitespace",
                "A token is one unbroken word; a space or line break inside means a wrapped "
                "line, two values pasted together, or a scheme we do not recognise.",
                "Paste the token alone, in one piece.",
            )
        )
    if findings:
        findings.append(out(Severity.INFO, "Signature NOT verified", NOT_VERIFIED))
        return findings
    opaque = opaque_kind(token)
    if opaque is not None:
        findings.append(_opaque_finding(out, *opaque))
        findings.append(
            out(
                Severity.INFO,
                "Signature NOT verified (nothing was verified)",
                "An opaque token has no signature to read; only its issuer knows if it is valid.",
            )
        )
        return findings
    try:
        decoded = decode_unverified(token)
    except JwtShapeError as exc:
        findings.extend(_shape_findings(out, exc))
    else:
        title, detail = _describe(decoded, now)
        findings.append(out(Severity.INFO, title, detail, kind=token_kind(decoded)))
        findings.extend(_alg_findings(out, decoded))
        findings.extend(_truncation_findings(out, token))
        findings.extend(_exp_findings(out, decoded, now))
        findings.extend(_future_findings(out, decoded, now))
        findings.extend(_kind_findings(out, decoded))
    findings.append(out(Severity.INFO, "Signature NOT verified", NOT_VERIFIED))
    return findings


def build() -> Command:
    return Command(
        name="decode",
        summary="Read a JWT offline: header, claims, expiry, clock skew, shape errors",
        params=(
            Param(
                "token",
                "the token; `Bearer …` or a whole `Authorization: …` line is fine too",
                kind=ParamKind.REST,
                required=True,
                secret=True,
                metavar="jwt",
            ),
        ),
        checks=(DecodeCheck(),),
        examples=("decode eyJhbGciOiJSUzI1NiIs…", "decode Authorization: Bearer eyJhbGciOi…"),
    )
