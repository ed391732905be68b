"""Short, secret-free descriptions of a token for the live checks' findings.

`introspect`, `token` and `probe` all need to say "this JWT was issued by X for Y and expires at Z"
in one or two lines; the full claim dump is the `decode` command's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.core.redact import describe_token
from handlers.core.timefmt import relative, utc
from handlers.tokens.reading import (
    DecodedJwt,
    JwtShapeError,
    decode_unverified,
    looks_like_jwt,
    opaque_kind,
    token_kind,
)

#: Servers commonly tolerate this much clock difference on `nbf`/`iat`/`exp` (RFC 7519 leaves it
#: to them; 60 s to 5 min is usual).
LEEWAY_S = 300


@dataclass(frozen=True)
class TokenView:
    """What can be read from a token without a key: its JWT claims or its opaque kind."""

    decoded: DecodedJwt | None
    #: (description, kind) for recognisable opaque tokens (`ory_at_…` is a Hydra access token).
    opaque: tuple[str, str] | None

    @property
    def kind(self) -> str:
        if self.decoded is not None:
            return token_kind(self.decoded)
        if self.opaque is not None:
            return self.opaque[1]
        return "unknown"


def view(token: str) -> TokenView:
    decoded = None
    if looks_like_jwt(token):
        try:
            decoded = decode_unverified(token)
        except JwtShapeError:
            decoded = None
    return TokenView(decoded=decoded, opaque=None if decoded else opaque_kind(token))


def identify(token: str) -> str:
    """`sha256:… (43 chars, ends …x9Qa)`: how a token is referred to in every finding."""
    return describe_token(token)


def when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "not given"
    return f"{utc(moment)} ({relative(moment, now)})"


def jwt_summary(decoded: DecodedJwt, now: datetime) -> str:
    """Issuer, subject, audience, scopes, kind and times, one per line."""
    claims = decoded.claims
    lines = [
        f"issuer: {claims.get('iss', 'not given')}",
        f"subject: {claims.get('sub', 'not given')}",
        f"client: {claims.get('client_id') or claims.get('azp') or claims.get('cid') or '-'}",
        f"audience: {', '.join(decoded.audiences) or 'none'}",
        f"scopes: {' '.join(decoded.scopes) or 'none'}",
        f"kind: {token_kind(decoded)} token (alg {decoded.header.get('alg', '?')})",
        f"expires: {when(decoded.time('exp'), now)}",
    ]
    if "iat" in claims:
        lines.append(f"issued: {when(decoded.time('iat'), now)}")
    if "nbf" in claims:
        lines.append(f"not before: {when(decoded.time('nbf'), now)}")
    return "\n".join(lines)


def split_scopes(values: list[str]) -> list[str]:
    """`--scope "a b" --scope c,d` → [a, b, c, d], order kept, duplicates dropped."""
    out: list[str] = []
    for value in values:
        for part in value.replace(",", " ").split():
            if part not in out:
                out.append(part)
    return out
