"""Parsers for what authorization servers and gatekeepers answer.

Three shapes matter: the RFC 6749 §5.2 error JSON (`error`, `error_description`, plus Hydra's
`error_hint`), RFC 7235 `WWW-Authenticate` challenges (RFC 6750 puts `error="invalid_token"` in
them, UAA puts `realm="UAA/client"`), and Ory Oathkeeper's nested error object. Parsers never raise
on garbage: a gateway's HTML page is an ordinary answer to describe, not an exception.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Challenge:
    """One `WWW-Authenticate` challenge: scheme (lower case) and its parameters."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)
    token68: str | None = None

    @property
    def error(self) -> str | None:
        return self.params.get("error")


_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|{_TOKEN})\s*')
_SCHEME = re.compile(rf"\s*({_TOKEN})(?:\s+|$)")
_TOKEN68 = re.compile(r"\s*([A-Za-z0-9\-._~+/]+=*)\s*(?:,|$)")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_www_authenticate(value: str | None) -> list[Challenge]:
    """All challenges in a header value; tolerant of the sloppy forms servers send."""
    if not value:
        return []
    text = value.strip()
    challenges: list[Challenge] = []
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos] in ", \t":
            pos += 1
        scheme_match = _SCHEME.match(text, pos)
        if scheme_match is None:
            break
        pos = scheme_match.end()
        params: dict[str, str] = {}
        token68: str | None = None
        t68 = None if _PARAM.match(text, pos) else _TOKEN68.match(text, pos)
        if t68 is not None:
            token68 = t68.group(1)
            pos = t68.end()
        else:
            # Parameters until something that is not `name=value` (the next challenge's scheme).
            while (param := _PARAM.match(text, pos)) is not None:
                params[param.group(1).lower()] = _unquote(param.group(2))
                pos = param.end()
                if pos < len(text) and text[pos] == ",":
                    pos += 1
        challenges.append(Challenge(scheme_match.group(1).lower(), params, token68))
    return challenges


@dataclass(frozen=True)
class OAuthError:
    """RFC 6749 §5.2 error body (Hydra adds `error_hint`, older Hydra `status_code`)."""

    error: str
    description: str | None = None
    hint: str | None = None

    def sentence(self) -> str:
        parts = [f"`{self.error}`"]
        if self.description:
            parts.append(f"“{self.description}”")
        if self.hint and self.hint != self.description:
            parts.append(f"(hint: {self.hint})")
        return " ".join(parts)


def json_object(body: bytes | str) -> dict[str, Any] | None:
    """The body as a JSON object, or None for anything else (HTML, garbage, a JSON list)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _short(value: object, limit: int = 300) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:limit] if text else None


def parse_oauth_error(body: bytes | str) -> OAuthError | None:
    """The OAuth error in a body, if it has the RFC shape (`error` is a string)."""
    data = json_object(body)
    if data is None or not isinstance(data.get("error"), str):
        return None
    return OAuthError(
        error=str(data["error"])[:100],
        description=_short(data.get("error_description")),
        hint=_short(data.get("error_hint")),
    )


@dataclass(frozen=True)
class OathkeeperError:
    """Oathkeeper's `{"error":{"code":401,"status":"Unauthorized","message":"..."}}`."""

    code: int | None
    status: str | None
    message: str | None
    reason: str | None = None


def parse_oathkeeper_error(body: bytes | str) -> OathkeeperError | None:
    data = json_object(body)
    if data is None:
        return None
    inner = data.get("error")
    if not isinstance(inner, dict) or not ({"code", "status", "message"} & set(inner)):
        return None
    code = inner.get("code")
    return OathkeeperError(
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        status=_short(inner.get("status"), 60),
        message=_short(inner.get("message")),
        reason=_short(inner.get("reason")),
    )


#: Envoy's jwt_authn and RBAC filters answer with these plain-text bodies (see DOMAIN.md).
ENVOY_JWT_MESSAGES = (
    "Jwt is expired",
    "Jwt verification fails",
    "Jwt issuer is not configured",
    "Jwks doesn't have key to match kid or alg from Jwt",
    "Jwt not yet valid",
    "Jwt is missing",
    "Jwt header is an invalid JSON",
    "Jwt is not in the form of Header.Payload.Signature",
    "Audiences in Jwt are not allowed",
    "Jwks remote fetch is failed",
)
ENVOY_RBAC_DENIED = "RBAC: access denied"


def envoy_message(body: bytes | str) -> str | None:
    """The Envoy/Istio message in a plain-text body, if it is one of the known ones."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.strip()
    if len(text) > 300:
        return None
    if text.startswith(ENVOY_RBAC_DENIED):
        return ENVOY_RBAC_DENIED
    for message in ENVOY_JWT_MESSAGES:
        if text.lower().startswith(message.lower()):
            return message
    return None
