"""Reading tokens without verifying them: shape, header, claims, and what kind of token it is.

Most 401s caused by the token itself are visible without any key: a truncated paste, an expired
`exp`, a refresh token sent where an access token belongs. This module decodes by hand (base64url
and JSON, segment by segment) instead of through PyJWT's decoder so that every shape error can say
exactly which segment is broken and how. Nothing here verifies a signature, and no error text ever
contains the token or any part of it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.core.timefmt import from_epoch

PARTS = ("header", "payload", "signature")
_ORDINAL = {0: "1st", 1: "2nd", 2: "3rd", 3: "4th", 4: "5th"}
_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_AUTHORIZATION = re.compile(r"^authorization\s*:\s*", re.IGNORECASE)
_BEARER = re.compile(r"^bearer(?:\s+|$)", re.IGNORECASE)
_QUOTES = ("\"'`", "\"'`")


class JwtShapeError(ValueError):
    """The text is not a readable JWT. `reason` is one line and never contains the token.

    `kind` says what is wrong (`empty`, `segments`, `jwe`, `base64`, `utf8`, `json`, `object`),
    `segments` how many dot-separated segments there were, `part` which one is broken (if one is),
    so callers can pick a remedy without parsing the reason.
    """

    def __init__(self, reason: str, *, kind: str, segments: int, part: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.segments = segments
        self.part = part


@dataclass(frozen=True)
class DecodedJwt:
    """Header and claims of a JWT whose signature was NOT verified."""

    header: dict[str, Any]
    claims: dict[str, Any]
    #: True when the signature segment is non-empty (an empty one is an unsecured JWS).
    signature: bool

    def time(self, claim: str) -> datetime | None:
        """`exp`, `nbf`, `iat` (or any NumericDate claim) as an aware UTC datetime."""
        return from_epoch(self.claims.get(claim))

    @property
    def scopes(self) -> list[str]:
        """Scopes however the issuer spells them: `scope` (a space-separated string, or a list
        as XSUAA sends it), `scp` (a list for Hydra, a string for Entra ID) or `scopes`."""
        for key in ("scope", "scp", "scopes"):
            value = self.claims.get(key)
            if isinstance(value, str):
                return value.split()
            if isinstance(value, list):
                return [str(v) for v in value if isinstance(v, str | int | float)]
        return []

    @property
    def audiences(self) -> list[str]:
        """`aud` is a string or a list of strings (RFC 7519 §4.1.3)."""
        value = self.claims.get("aud")
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)]
        return []


def strip_scheme(text: str) -> str:
    """The bare token out of whatever was pasted: `Authorization: Bearer "eyJ…"` → `eyJ…`.

    Removes, repeatedly and in any order, surrounding whitespace, an `Authorization:` prefix, a
    `Bearer` prefix (any case) and surrounding quotes, so `Bearer Bearer x` also yields `x`.
    """
    previous = None
    text = text.strip()
    while text != previous:
        previous = text
        text = _AUTHORIZATION.sub("", text).strip()
        text = _BEARER.sub("", text).strip()
        if len(text) >= 2 and text[0] in _QUOTES[0] and text[-1] == text[0]:
            text = text[1:-1].strip()
    return text


def _ordinal(index: int) -> str:
    return _ORDINAL.get(index, f"{index + 1}th")


def _part_name(index: int, count: int) -> str:
    if count == 3:
        return f"{PARTS[index]} (the {_ordinal(index)} segment)"
    return f"the {_ordinal(index)} segment"


def _shown_char(char: str) -> str:
    """A single offending character, shown only if it is harmless ASCII punctuation/space."""
    if char in "+/=.,;:!?#&%$@*~^|<>()[]{}\"' \\":
        return f"`{char}`" if char != " " else "a space"
    return f"U+{ord(char):04X}"


def b64url_decode(segment: str, label: str, count: int) -> bytes:
    """Decodes one base64url segment (padding tolerated) or says precisely why it cannot."""
    if not _B64URL.fullmatch(segment):
        position, char = next((i, c) for i, c in enumerate(segment) if not _is_b64url_char(c))
        hint = ""
        if char in "+/":
            hint = " (standard base64, not base64url: `+`→`-`, `/`→`_`)"
        elif char == "=":
            hint = " (padding in the middle: two values glued together?)"
        raise JwtShapeError(
            f"{label} is not valid base64url: {_shown_char(char)} at position {position}{hint}",
            kind="base64",
            segments=count,
            part=label.split(" ")[0] if count == 3 else None,
        )
    body = segment.rstrip("=")
    if len(body) % 4 == 1:
        raise JwtShapeError(
            f"{label} is not valid base64url: its length ({len(body)}) is impossible for "
            "base64 — characters are missing (truncated paste?)",
            kind="base64",
            segments=count,
            part=label.split(" ")[0] if count == 3 else None,
        )
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise JwtShapeError(
            f"{label} is not valid base64url",
            kind="base64",
            segments=count,
            part=label.split(" ")[0] if count == 3 else None,
        ) from None


def _is_b64url_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-_")


def _json_object(raw: bytes, label: str, count: int) -> dict[str, Any]:
    part = label.split(" ")[0] if count == 3 else None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise JwtShapeError(
            f"{label} decodes to bytes that are not UTF-8 text, so not JSON "
            "(a binary or encrypted blob, or the wrong segment?)",
            kind="utf8",
            segments=count,
            part=part,
        ) from None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise JwtShapeError(
            f"{label} decodes to text that is not JSON (truncated, or not a JWT)",
            kind="json",
            segments=count,
            part=part,
        ) from None
    if not isinstance(value, dict):
        raise JwtShapeError(
            f"{label} is JSON but not an object (it is a {_json_type(value)})",
            kind="object",
            segments=count,
            part=part,
        )
    return value


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _header_of(segment: str, count: int) -> dict[str, Any] | None:
    """The first segment as a JSON object, or None when it is not one (no error text needed)."""
    try:
        return _json_object(b64url_decode(segment, "header", count), "header", count)
    except JwtShapeError:
        return None


def looks_like_jwt(token: str) -> bool:
    """Three dot-separated base64url segments whose first is a JSON object with `alg`."""
    segments = token.split(".")
    if len(segments) != 3:
        return False
    header = _header_of(segments[0], 3)
    return header is not None and "alg" in header


def decode_unverified(token: str) -> DecodedJwt:
    """Header and claims without checking the signature; JwtShapeError says what is broken."""
    token = token.strip()
    if not token:
        raise JwtShapeError("the token is empty", kind="empty", segments=0)
    segments = token.split(".")
    count = len(segments)
    if count == 5:
        header = _header_of(segments[0], count)
        if header is not None and "enc" in header:
            raise JwtShapeError(
                "the token has 5 segments: it is a JWE (encrypted JWT), its claims cannot be "
                "read without the recipient's key",
                kind="jwe",
                segments=count,
            )
    if count != 3:
        plural = "segment" if count == 1 else "segments"
        raise JwtShapeError(
            f"the token has {count} dot-separated {plural}; a JWT has 3 (header.payload.signature)",
            kind="segments",
            segments=count,
        )
    head, body, signature = segments
    for index, segment in enumerate(segments[:2]):
        if not segment:
            raise JwtShapeError(
                f"the {_part_name(index, 3)} is empty",
                kind="base64",
                segments=count,
                part=PARTS[index],
            )
    header = _json_object(b64url_decode(head, _part_name(0, 3), 3), _part_name(0, 3), 3)
    claims = _json_object(b64url_decode(body, _part_name(1, 3), 3), _part_name(1, 3), 3)
    if signature:
        b64url_decode(signature, _part_name(2, 3), 3)
    return DecodedJwt(header=header, claims=claims, signature=bool(signature))


_ACCESS_TYP = {"at+jwt", "application/at+jwt", "bearer"}
_REFRESH_TYP = {"refresh", "offline", "refresh+jwt", "rt+jwt"}
_ID_TYP = {"id", "id+jwt", "id_token"}
_USE = {
    "access_token": "access",
    "access": "access",
    "refresh_token": "refresh",
    "refresh": "refresh",
    "id_token": "id",
    "id": "id",
}


def _kind_of_typ(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    typ = value.strip().lower()
    if typ in _ACCESS_TYP:
        return "access"
    if typ in _REFRESH_TYP:
        return "refresh"
    if typ in _ID_TYP:
        return "id"
    return None


def token_kind(decoded: DecodedJwt) -> str:
    """`access`, `refresh`, `id` or `unknown`, from the strongest hint available.

    In order: an explicit `token_use` (Hydra: access_token/refresh_token; Cognito: access/id);
    the header `typ` (RFC 9068 `at+jwt`); Keycloak's claim `typ` (Bearer/Refresh/Offline/ID);
    then shape: `nonce` or `at_hash` without any scope marks an ID token, scopes an access token.
    A header `typ` of plain `JWT` says nothing and is ignored.
    """
    use = decoded.claims.get("token_use")
    if isinstance(use, str) and use.strip().lower() in _USE:
        return _USE[use.strip().lower()]
    header_typ = _kind_of_typ(decoded.header.get("typ"))
    if header_typ is not None:
        return header_typ
    claim_typ = _kind_of_typ(decoded.claims.get("typ"))
    if claim_typ is not None:
        return claim_typ
    has_scope = any(k in decoded.claims for k in ("scope", "scp", "scopes"))
    if not has_scope and ("nonce" in decoded.claims or "at_hash" in decoded.claims):
        return "id"
    if has_scope:
        return "access"
    return "unknown"


#: Prefixes of well-known opaque tokens: what they are, and the kind of token they are.
OPAQUE_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("ory_at_", "an Ory Hydra access token", "access"),
    ("ory_rt_", "an Ory Hydra refresh token", "refresh"),
    ("ory_ac_", "an Ory Hydra authorization code", "code"),
    ("ya29.", "a Google OAuth access token", "access"),
)


def opaque_kind(token: str) -> tuple[str, str] | None:
    """(description, kind) when the token is recognisably an opaque token, else None.

    Hydra's opaque tokens contain one dot (`<key>.<signature>`), so "two segments" alone does not
    mean a truncated JWT: we call a token opaque when it is not JWT-shaped at all, i.e. its first
    segment is not a JSON header.
    """
    token = token.strip()
    for prefix, description, kind in OPAQUE_PREFIXES:
        if token.startswith(prefix):
            return description, kind
    if not token or any(c.isspace() for c in token):
        return None
    segments = token.split(".")
    if len(segments) > 2:
        return None
    if _header_of(segments[0], len(segments)) is not None:
        return None
    if len(segments) == 2:
        return "an opaque token (`<key>.<signature>`, the shape Ory Hydra issues)", "unknown"
    return "an opaque token (not a JWT)", "unknown"


#: Signature lengths in bytes each JWS `alg` produces (RFC 7518 §3): HMAC by hash size, RSA by
#: key size (2048/3072/4096-bit keys), ECDSA as the fixed R||S pair, EdDSA 64.
SIGNATURE_BYTES: dict[str, tuple[int, ...]] = {
    "HS256": (32,),
    "HS384": (48,),
    "HS512": (64,),
    **{f"{kind}{bits}": (256, 384, 512) for kind in ("RS", "PS") for bits in (256, 384, 512)},
    "ES256": (64,),
    "ES384": (96,),
    "ES512": (132,),
    "EdDSA": (64,),
}


def signature_length_problem(token: str) -> str | None:
    """Why the token's signature cannot be whole, or None: a signature whose length does not fit
    its `alg` was cut (a truncated paste, a line break) or belongs to another token. One function
    for `decode`, `header` and `probe`, so all three flag the same tokens."""
    segments = token.strip().split(".")
    if len(segments) != 3 or not segments[2]:
        return None
    try:
        header = _header_of(segments[0], 3)
        raw = b64url_decode(segments[2], _part_name(2, 3), 3)
    except JwtShapeError:
        return None
    alg = header.get("alg") if header else None
    sizes = SIGNATURE_BYTES.get(alg) if isinstance(alg, str) else None
    if sizes is None or len(raw) in sizes:
        return None
    wanted = " or ".join(str(s) for s in sizes)
    return (
        f"its signature is {len(raw)} bytes, but `{alg}` signatures are {wanted} bytes: the "
        "token was cut short (or altered) on the way"
    )
