"""What a pasted error, log or curl output tells us, and which commands to run on it.

Used by the "Diagnose with authcheck" message shortcut: people paste whatever they have (curl -v
output, a JSON error body, a gateway log line) and the bot picks out the status code, the
`WWW-Authenticate` challenge, OAuth error codes, the gatekeeper's own words (Envoy/Istio,
Oathkeeper, Hydra) and any token, then plans the chat commands that diagnose them.

The input is untrusted and may be large, so it is cut to `MAX_INPUT` characters and every pattern
is linear: literals or disjoint character classes, no nested or overlapping quantifiers. JWTs and
Authorization header values are secrets; callers must register them with a `Redactor` before any
of this reaches output.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from handlers.gateways import catalog as gateways

MAX_INPUT = 40_000
MAX_ITEMS = 10
MAX_VALUE = 2_000
MAX_PLANNED = 5

_HTTP_LINE = re.compile(r"\bHTTP/\d(?:\.\d)?[ \t]+([1-5]\d\d)\b")
_STATUS_CODE = re.compile(r"(?i)\bstatus[ _-]?code\b[\"']?[ \t]*[:=][ \t]*[\"']?([1-5]\d\d)\b")
_STATUS_PHRASE = re.compile(
    r"\b([45]\d\d)[ \t]+(?:Unauthorized|Forbidden|Bad Request|Not Found|"
    r"Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b"
)
_OATHKEEPER_CODE = re.compile(r"\"code\"[ \t]*:[ \t]*([45]\d\d)\b")

_WWW_AUTH = re.compile(
    r"(?i)www-authenticate[\"']?[ \t]*[:=][ \t]*"
    r"(?:\"((?:[^\"\\\r\n]|\\.){1,2000})\"|'([^'\r\n]{1,2000})'|([^\r\n]{1,2000}))"
)
_AUTHORIZATION = re.compile(
    r"(?i)(?<![-\w])authorization[\"']?[ \t]*:[ \t]*[\"']?([^\r\n\"']{1,8192})"
)
_SCHEME_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,30}[ \t]+\S")

#: A JWT is searched only inside runs of base64url-and-dot characters, once per run, so text
#: made of many "eyJ" fragments cannot make the search quadratic.
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_.-]{12,}")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*)?")
_MAX_ERROR_MATCHES = 50
_URL = re.compile(r"\bhttps?://[^\s\"'<>`\\|{}^]{1,2000}")
_URL_TRAILING = ".,;:)]}!?*"
_CURL_LINE = re.compile(r"(?m)^[ \t$>#]*curl[ \t][^\r\n]{0,8000}")

_JSON_ERROR = re.compile(
    r"\"error\"[ \t\r\n]*:[ \t\r\n]*(?:\"((?:[^\"\\\r\n]|\\.){1,300})(?=\")|(\{))"
)
_JSON_FIELD = {
    name: re.compile(rf"\"{name}\"[ \t\r\n]*:[ \t\r\n]*\"((?:[^\"\\\r\n]|\\.){{0,1000}})\"")
    for name in ("error_description", "error_hint", "message", "status", "reason")
}
_QUERY_ERROR = re.compile(
    r"[?&#]error=([A-Za-z0-9_.-]{1,100})(?:&error_description=([^&\s]{0,500}))?"
)
_CHALLENGE_ERROR = re.compile(r"(?i)\berror[ \t]*=[ \t]*\"?([A-Za-z0-9_]{1,100})")
_ERROR_CODE = re.compile(r"^[a-z][a-z0-9_]{2,60}$")
#: How far around an `"error"` key we look for the rest of its object.
_WINDOW = 1_500

#: Texts gatekeepers answer with verbatim (Envoy jwt_authn / Istio RBAC, Oathkeeper, Hydra, UAA).
GATEKEEPER_TEXTS: tuple[str, ...] = (
    "RBAC: access denied",
    "Jwt is missing",
    "Jwt is expired",
    "Jwt not yet valid",
    "Jwt verification fails",
    "Jwt issuer is not configured",
    "Audiences in Jwt are not allowed",
    "Jwks doesn't have key to match kid or alg from Jwt",
    "Jwks remote fetch is failed",
    "Jwt is not in the form of Header.Payload.Signature",
    "Jwt header is an invalid JSON",
    "Jwt payload is an invalid JSON",
    "Access credentials are invalid",
    "Access credentials are not sufficient to access this resource",
    "Access credentials are either expired or missing a scope",
    "This action requires authorization but no bearer token was given",
    "Requested url does not match any rules",
    "The request could not be authorized",
    "Introspection returned status code",
    "Client authentication failed",
    "Bad credentials",
    "Missing credentials",
)
#: Plus every distinctive wording of the shared gateway table (Kong, AWS, Apigee, Azure APIM, ESP).
GATEKEEPER_TEXTS = (
    *GATEKEEPER_TEXTS,
    *(
        sig.text
        for sig in gateways.SIGNATURES
        if not sig.needs_header
        and not sig.product.startswith("nginx")
        and sig.text.lower() not in {t.lower() for t in GATEKEEPER_TEXTS}
    ),
)
_GATEKEEPER = re.compile("|".join(re.escape(t) for t in GATEKEEPER_TEXTS), re.IGNORECASE)
_CANONICAL = {t.lower(): t for t in GATEKEEPER_TEXTS}

#: Texts that say which status the gatekeeper answered with when the paste has no status line.
_IMPLIED_STATUS = {
    "rbac: access denied": 403,
    "access credentials are not sufficient to access this resource": 403,
}
_IMPLIED_ERROR = {"client authentication failed": "invalid_client"}


@dataclass(frozen=True)
class PastedEvidence:
    """Everything recognisable in one paste; secrets (jwts, authorization_headers) included."""

    status: int | None = None
    www_authenticate: list[str] = field(default_factory=list)
    oauth_errors: list[dict[str, str]] = field(default_factory=list)
    gatekeeper_texts: list[str] = field(default_factory=list)
    jwts: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    authorization_headers: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.status
            or self.www_authenticate
            or self.oauth_errors
            or self.gatekeeper_texts
            or self.jwts
            or self.urls
            or self.authorization_headers
        )

    def secrets(self) -> list[str]:
        """Values to register with the job's Redactor before anything is shown."""
        out = list(self.jwts)
        for value in self.authorization_headers:
            out.append(value)
            _, _, credential = value.partition(" ")
            if credential.strip():
                out.append(credential.strip())
        return out


def _add(items: list[str], value: str) -> None:
    value = value.strip()[:MAX_VALUE]
    if value and value not in items and len(items) < MAX_ITEMS:
        items.append(value)


def _unescape(value: str) -> str:
    """JSON string contents as written; falls back to the raw text when it is not valid JSON."""
    try:
        out = json.loads(f'"{value}"')
    except ValueError:
        return value
    return out if isinstance(out, str) else value


def _status(text: str) -> int | None:
    """The most telling status: the first 401/403, else the first 4xx/5xx, else the first seen."""
    found: list[tuple[int, int]] = []
    for pattern in (_HTTP_LINE, _STATUS_CODE, _STATUS_PHRASE, _OATHKEEPER_CODE):
        found.extend((m.start(), int(m.group(1))) for m in pattern.finditer(text))
    codes = [code for _, code in sorted(found)]
    for wanted in ({401, 403}, set(range(400, 600))):
        hit = next((c for c in codes if c in wanted), None)
        if hit is not None:
            return hit
    return codes[0] if codes else None


def _object_around(text: str, start: int, end: int) -> str:
    """The text of the JSON object an `"error"` key sits in, bounded to a window either side."""
    left = text.rfind("{", max(0, start - _WINDOW), start)
    right = text.find("}", end, end + _WINDOW)
    return text[left if left >= 0 else max(0, start - _WINDOW) : right + 1 if right >= 0 else end]


def _field(name: str, blob: str) -> str | None:
    m = _JSON_FIELD[name].search(blob)
    return _unescape(m.group(1)) if m else None


def _oauth_errors(text: str, gatekeeper: list[str]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def add(entry: dict[str, str]) -> None:
        if entry not in errors and len(errors) < MAX_ITEMS:
            errors.append(entry)

    for n, m in enumerate(_JSON_ERROR.finditer(text)):
        if len(errors) >= MAX_ITEMS or n >= _MAX_ERROR_MATCHES:
            break
        if m.group(1) is not None:
            entry = {"error": _unescape(m.group(1))[:300]}
            blob = _object_around(text, m.start(), m.end())
            for name in ("error_description", "error_hint"):
                value = _field(name, blob)
                if value:
                    entry[name] = value[:1000]
            add(entry)
        else:
            # Oathkeeper (herodot): {"error":{"code":401,"status":"Unauthorized","message":...}}
            right = text.find("}", m.end(), m.end() + _WINDOW)
            blob = text[m.end() - 1 : right + 1 if right >= 0 else m.end() + _WINDOW]
            code = _OATHKEEPER_CODE.search(blob)
            status = _field("status", blob) or ""
            message = _field("message", blob) or ""
            reason = _field("reason", blob) or ""
            entry = {"error": status or "error", "error_description": message[:1000]}
            if code:
                entry["code"] = code.group(1)
            if reason:
                entry["reason"] = reason[:1000]
            add(entry)
            for said in (message, reason):
                _add(gatekeeper, said)
    for m in _QUERY_ERROR.finditer(text):
        entry = {"error": m.group(1)}
        if m.group(2):
            entry["error_description"] = m.group(2).replace("+", " ")[:1000]
        add(entry)
    return errors


def _jwts(text: str) -> list[str]:
    out: list[str] = []
    for run in _TOKEN_RUN.finditer(text):
        start = run.group(0).find("eyJ")
        if start < 0:
            continue
        m = _JWT.match(run.group(0), start)
        if m:
            _add(out, m.group(0))
    return out


def is_jwt(value: str) -> bool:
    """Shaped like a JWT (two or three base64url segments, JSON header)."""
    return _JWT.fullmatch(value.strip()) is not None


def _authorization(text: str) -> list[str]:
    out: list[str] = []
    for m in _AUTHORIZATION.finditer(text):
        value = m.group(1).strip()
        if _SCHEME_VALUE.match(value) or is_jwt(value.split()[0] if value.split() else value):
            _add(out, value)
    return out


def _urls(text: str) -> list[str]:
    """URLs on a curl command line first (that is what was called), then the others in order."""
    curl_spans = [(m.start(), m.end()) for m in _CURL_LINE.finditer(text)]
    first: list[str] = []
    rest: list[str] = []
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_URL_TRAILING)
        if len(url) <= len("https://"):
            continue
        on_curl = any(a <= m.start() < b for a, b in curl_spans)
        _add(first if on_curl else rest, url)
    out = first[:]
    for url in rest:
        _add(out, url)
    return out


def extract(text: str) -> PastedEvidence:
    """Everything recognisable in `text` (first MAX_INPUT characters); never raises."""
    text = text[:MAX_INPUT]
    # Log lines often carry JSON bodies as escaped strings: {\"error\":\"invalid_client\"}.
    normal = text.replace('\\"', '"') if '\\"' in text else text

    challenges: list[str] = []
    for m in _WWW_AUTH.finditer(text):
        quoted, single, bare = m.group(1), m.group(2), m.group(3)
        value = _unescape(quoted) if quoted is not None else (single or bare or "")
        _add(challenges, value)

    gatekeeper: list[str] = []
    for m in _GATEKEEPER.finditer(text):
        _add(gatekeeper, _CANONICAL.get(m.group(0).lower(), m.group(0)))
        if len(gatekeeper) >= MAX_ITEMS:
            break

    oauth = _oauth_errors(text, gatekeeper)
    if normal is not text:
        # Both readings: the raw one keeps escaped quotes inside values, the unescaped one finds
        # error objects nested as strings inside log messages.
        for entry in _oauth_errors(normal, gatekeeper):
            if entry not in oauth and len(oauth) < MAX_ITEMS:
                oauth.append(entry)

    return PastedEvidence(
        status=_status(normal),
        www_authenticate=challenges,
        oauth_errors=oauth,
        gatekeeper_texts=gatekeeper,
        jwts=_jwts(text),
        urls=_urls(text),
        authorization_headers=_authorization(text),
    )


def _error_codes(ev: PastedEvidence) -> list[str]:
    """OAuth error codes worth an `explain`: from bodies, challenges and gatekeeper texts."""
    codes: list[str] = []
    for entry in ev.oauth_errors:
        code = entry.get("error", "")
        if _ERROR_CODE.match(code):
            _add(codes, code)
    for challenge in ev.www_authenticate:
        for m in _CHALLENGE_ERROR.finditer(challenge):
            if _ERROR_CODE.match(m.group(1)):
                _add(codes, m.group(1))
    for said in ev.gatekeeper_texts:
        implied = _IMPLIED_ERROR.get(said.lower())
        if implied:
            _add(codes, implied)
    return codes


def _bearer(ev: PastedEvidence) -> str | None:
    """The token that was sent: a JWT from the paste, else a Bearer header's credential."""
    if ev.jwts:
        return ev.jwts[0]
    for value in ev.authorization_headers:
        scheme, _, credential = value.partition(" ")
        if scheme.lower() == "bearer" and credential.strip():
            return credential.split()[0]
    return None


def plan_commands(ev: PastedEvidence) -> list[str]:
    """Chat command texts to run, most telling first; at most MAX_PLANNED, no duplicates.

    The texts contain the secrets found in the paste (a token to decode or probe with): the
    caller registers `ev.secrets()` with the job's Redactor before running or echoing them.
    """
    planned: list[str] = []

    def plan(command: str) -> None:
        if command not in planned and len(planned) < MAX_PLANNED:
            planned.append(command)

    if ev.jwts:
        plan(f"decode {ev.jwts[0]}")
    status = ev.status
    if status is None:
        status = next(
            (
                _IMPLIED_STATUS[t.lower()]
                for t in ev.gatekeeper_texts
                if t.lower() in _IMPLIED_STATUS
            ),
            None,
        )
    if status is None and any(t.lower().startswith("jwt") for t in ev.gatekeeper_texts):
        status = 401
    if status in (401, 403):
        plan(f"explain {status}")
    codes = _error_codes(ev)
    if codes:
        plan(f"explain {codes[0]}")
    if ev.urls:
        token = _bearer(ev)
        probe = f"probe {shlex.quote(ev.urls[0])}"
        plan(f"{probe} --token {shlex.quote(token)}" if token else probe)
    if ev.authorization_headers:
        plan(f"header {ev.authorization_headers[0]}")
    for code in codes[1:]:
        plan(f"explain {code}")
    return planned
