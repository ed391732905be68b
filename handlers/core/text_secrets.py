"""Secrets that travel inside ordinary text: in URLs, in pasted headers, as bare JWTs.

A parameter declared `secret` is fingerprinted wherever it goes. But people paste credentials into
the other parameters too: `probe https://api/x?access_token=…`, an OAuth callback with `?code=…`,
`https://user:password@host/`, a webhook whose path is its key, or `explain "Authorization: Bearer
eyJ…"`. `find` returns those values so the job's redactor scrubs them from every finding and error,
and `mask` replaces them in the one-line descriptions that go to the channel and the audit log.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from handlers.core.redact import fingerprint

#: Query or fragment parameters whose value is a credential (compared case-insensitively).
SECRET_PARAMETERS = frozenset(
    {
        "access_token",
        "id_token",
        "refresh_token",
        "token",
        "client_secret",
        "code",
        "password",
        "passwd",
        "pwd",
        "secret",
        "api_key",
        "apikey",
        "key",
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-security-token",
        "x-goog-signature",
        "assertion",
        "client_assertion",
        "session",
        "auth",
        "jwt",
    }
)

_URL = re.compile(r"https?://[^\s<>\"'`|]+", re.IGNORECASE)
_PARAM = re.compile(r"([?&#;])([^=&#\s]+)=([^&#\s]*)")
_USERINFO = re.compile(r"^(https?://)([^/?#@\s]*)@", re.IGNORECASE)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_AUTH_VALUE = re.compile(
    r"\b(Bearer|Basic|Token|ApiKey|Api-Key|Digest|Negotiate|AWS4-HMAC-SHA256)\s+([^\s\"'`]{8,})",
    re.IGNORECASE,
)
_API_KEY_HEADER = re.compile(
    r"\b(x-api-key|api-key|apikey|x-auth-token|private-token|x-amz-security-token)\s*:\s*(\S{6,})",
    re.IGNORECASE,
)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
#: Values shorter than this are still masked in URLs, but scrubbed as `name=value` elsewhere.
_SHORT = 6


def _looks_like_key(segment: str) -> bool:
    """A path segment that is a credential rather than a name: a JWT, or a long random string
    (a webhook key) — not a UUID or a word, which identify resources."""
    if _JWT.fullmatch(segment):
        return True
    if len(segment) < 24 or _UUID.match(segment):
        return False
    classes = sum(bool(re.search(pattern, segment)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and bool(re.search(r"[0-9]", segment))


def _spellings(value: str, context: str) -> list[str]:
    """A value as written and URL-decoded; a short one only together with its `context` (the
    `name=` before it), so that masking it never rewrites an ordinary word elsewhere."""
    if len(value) < _SHORT:
        return [context]
    decoded = unquote(value)
    return [value, decoded] if len(decoded) >= _SHORT else [value]


def _url_secrets(url: str) -> list[str]:
    found: list[str] = []
    userinfo = _USERINFO.match(url)
    if userinfo:
        _, colon, password = userinfo.group(2).partition(":")
        if colon and password:
            found += _spellings(password, userinfo.group(2) + "@")
    for _, name, value in _PARAM.findall(url):
        if unquote(name).lower() in SECRET_PARAMETERS and value:
            found += _spellings(value, f"{name}={value}")
    path = re.split(r"[?#]", re.sub(r"^https?://[^/]*", "", url, flags=re.IGNORECASE), maxsplit=1)[
        0
    ]
    found += [s for s in path.split("/") if _looks_like_key(s)]
    return found


def find(text: str) -> list[str]:
    """Every credential-looking value inside `text`, longest first, without duplicates."""
    found: list[str] = []
    for url in _URL.findall(text):
        found += _url_secrets(url)
    found += [m.group(0) for m in _JWT.finditer(text)]
    found += [m.group(2) for m in _AUTH_VALUE.finditer(text)]
    found += [m.group(2) for m in _API_KEY_HEADER.finditer(text)]
    unique = {v for v in found if v and len(v) >= 3}
    return sorted(unique, key=len, reverse=True)


def mask(text: str) -> str:
    """`text` with every value `find` names replaced by its fingerprint."""
    for secret in find(text):
        text = text.replace(secret, f"[{fingerprint(secret)}]")
    return text
