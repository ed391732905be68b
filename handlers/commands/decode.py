"""`decode <jwt>`: read a token offline and point at what would make a server reject it.

Needs no network and no key, so it is the first thing to run on a pasted token: shape errors
(truncated paste, JWE, standard base64), `alg: none`, expiry, clock skew and the wrong kind of
token are all visible from the token alone. The signature is never verified here and every report
says so, so nobody mistakes "decodes fine" for "is valid". The token and its signature never
appear in the output; claims do (they are not secrets) and so does the token's fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.model import Finding, Severity
from handlers.tokens.findings import builder, token_findings
from handlers.tokens.reading import strip_scheme

CHECK = "decode"


@dataclass(frozen=True)
class DecodeCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        raw = args.text("token") or ""
        token = strip_scheme(raw)
        ctx.redactor.add(token)
        if len(token.split()) > 1:  # e.g. `Basic <base64>`: the credential word alone, too
            ctx.redactor.add(token.split()[-1])
        return [*_quote_findings(raw, token), *token_findings(token, ctx.clock(), CHECK)]


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
        builder(CHECK, token)(
            Severity.FAIL,
            "Quotes around the credentials",
            "The quote characters are sent as part of the token, so it no longer matches "
            "anything the issuer made (a JSON string or a shell variable copied with quotes). "
            "They were removed here to read the token.",
            'Remove the quotes: `Authorization: Bearer eyJ…`, not `Bearer "eyJ…"`.',
        )
    ]


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
