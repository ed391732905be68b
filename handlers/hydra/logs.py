"""Reads Ory Hydra's own log lines for what explains a 401: database trouble, `access denied`
audit lines (introspection saying no), client authentication failures.

Hydra logs through logrus, as JSON or as text, and the text form is not strict logfmt (newer
versions leave values with spaces unquoted):

    time=2023-10-30T20:05:06Z level=info msg=access denied audience=audit error=map[debug:
        message:Token is inactive ... status_code:401] http_request=map[... method:POST
        path:/admin/oauth2/introspect ...] service_name=Ory Hydra service_version=v2.2.0
    {"audience":"application","error":{"message":"The request could not be authorized",...},
        "http_request":{"method":"POST","path":"/oauth2/token",...},"level":"error",
        "msg":"An error occurred while handling a request","time":"2024-05-04T12:26:31Z"}

So each line is reduced to a short summary built from a few fields (time, level, message, error
message and debug, method, path, status), never the raw line: headers, queries and anything
token-like stay out. Values that look like secrets are scrubbed first anyway, because a Hydra run
with `log.leak_sensitive_values` prints Authorization headers, form bodies and DSNs with
passwords. Kept pure (text in, records out) so the `hydra` and `client` checks share it.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: A shown line is cut to this; the few relevant lines are all a finding carries.
MAX_SUMMARY = 300
MAX_LINE = 20_000


class Kind(enum.StrEnum):
    DATABASE = "database"
    CLIENT_AUTH = "client_auth"
    ACCESS_DENIED = "access_denied"
    OTHER_ERROR = "other_error"


@dataclass(frozen=True)
class HydraLine:
    """One classified line: a scrubbed one-line summary, never the raw text."""

    kind: Kind
    timestamp: str | None
    level: str
    summary: str
    path: str | None = None
    pod: str = ""
    #: The line names the client id the caller asked about.
    mentions_client: bool = False

    @property
    def introspection(self) -> bool:
        return bool(self.path and "introspect" in self.path)

    def shown(self) -> str:
        return f"{self.timestamp or '(no time)'} {self.level}: {self.summary}"


# -- scrubbing ---------------------------------------------------------------------------------

_SECRET_KEYS = (
    r"client_secret|clientsecret|password|passwd|secret|access_token|refresh_token|id_token|"
    r"token|assertion|code|authorization|cookie|set-cookie|x-api-key|api_key|apikey"
)
_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    # JWTs and Hydra's opaque tokens/codes, wherever they are.
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    (re.compile(r"\bory_(?:at|rt|ac|pc)_[A-Za-z0-9_.~-]+"), "[redacted-token]"),
    # Authorization header values: `Bearer x`, `Basic x`.
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 [redacted]"),
    # Passwords in DSNs: postgres://user:pass@host.
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^\s:/@\"']+):[^\s@\"']+@"), r"\1:[redacted]@"),
    # key=value, key: value, key:value (Go map syntax), "key":"value" for secret-ish keys.
    (
        re.compile(rf'(?i)("(?:{_SECRET_KEYS})"\s*:\s*)"(?:[^"\\]|\\.)*"'),
        r'\1"[redacted]"',
    ),
    (
        re.compile(
            rf"(?i)(?<![A-Za-z0-9_-])((?:{_SECRET_KEYS})\s*[=:]\s*)(?!\[redacted)[^\s&,\]\"']+"
        ),
        r"\1[redacted]",
    ),
)


def scrub(text: str) -> str:
    """The text with anything token- or password-like replaced; idempotent."""
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


# -- parsing -----------------------------------------------------------------------------------

_TEXT_KEYS = (
    "time|level|msg|audience|error|http_request|http_response|service_name|service_version|"
    "code|debug|details|reason|request-id|status|trace|writer|dsn|client_id|"
    "stack_trace|func|file"
)
_FIELD = re.compile(rf'(?:^|\s)({_TEXT_KEYS})=("(?:[^"\\]|\\.)*"|.*?)(?=\s(?:{_TEXT_KEYS})=|$)')
_MAP_MESSAGE = re.compile(r"\bmessage:(.*?)(?=\s(?:reason|status|status_code|debug|trace):|\]|$)")
_MAP_DEBUG = re.compile(r"\bdebug:(.*?)(?=\s(?:message|reason|status|status_code|trace):|\]|$)")
_MAP_STATUS = re.compile(r"\bstatus_code:(\d{3})")
_MAP_PATH = re.compile(r"\bpath:(\S+?)(?=\s|\]|$)")
_MAP_METHOD = re.compile(r"\bmethod:([A-Z]+)")
_LEADING_TS = re.compile(r"^(\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)\s")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _text_fields(line: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for match in _FIELD.finditer(line):
        fields.setdefault(match.group(1), _unquote(match.group(2)))
    return fields


def _json_fields(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class _Parsed:
    time: str | None
    level: str
    msg: str
    error: str
    debug: str
    method: str | None
    path: str | None
    status: str | None
    audience: str
    whole: str  # the scrubbed line, lower case, for keyword matching


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1).strip() if match else None


def _parse(line: str) -> _Parsed:
    data = _json_fields(line)
    if data is not None:
        err = data.get("error")
        req = data.get("http_request") if isinstance(data.get("http_request"), dict) else {}
        if isinstance(err, dict):
            error = str(err.get("message") or "")
            debug = str(err.get("debug") or err.get("reason") or "")
            status = err.get("status_code") or err.get("code")
        else:
            error, debug, status = str(err or ""), str(data.get("debug") or ""), data.get("code")
        return _Parsed(
            time=str(data.get("time")) if data.get("time") else None,
            level=str(data.get("level") or "").lower(),
            msg=str(data.get("msg") or ""),
            error=error,
            debug=debug,
            method=str(req.get("method")) if isinstance(req, dict) and req.get("method") else None,
            path=str(req.get("path")) if isinstance(req, dict) and req.get("path") else None,
            status=str(status) if status else None,
            audience=str(data.get("audience") or ""),
            whole=line.lower(),
        )
    fields = _text_fields(line)
    error_field = str(fields.get("error") or "")
    request = str(fields.get("http_request") or "")
    leading = _LEADING_TS.match(line)
    if error_field.startswith("map["):
        error = _first(_MAP_MESSAGE, error_field) or ""
        debug = _first(_MAP_DEBUG, error_field) or ""
        status = _first(_MAP_STATUS, error_field)
    else:
        error, debug = error_field, str(fields.get("debug") or "")
        status = str(fields.get("code") or "") or None
    return _Parsed(
        time=fields.get("time") or (leading.group(1) if leading else None),
        level=str(fields.get("level") or _level_word(line)).lower(),
        msg=str(fields.get("msg") or ""),
        error=error,
        debug=debug,
        method=_first(_MAP_METHOD, request),
        path=_first(_MAP_PATH, request),
        status=status,
        audience=str(fields.get("audience") or ""),
        whole=line.lower(),
    )


def _level_word(line: str) -> str:
    match = re.search(r"\b(ERROR|FATAL|PANIC|WARN(?:ING)?|INFO|DEBUG)\b", line[:80])
    return match.group(1) if match else ""


# -- classifying -------------------------------------------------------------------------------

_DATABASE = re.compile(
    r"unable to ping the database|could not (?:connect|ping)[^.]{0,40}database|"
    r"failed to connect to `host=|dial tcp [^ ]+:(?:5432|3306|26257)|"
    r"password authentication failed for user|\bpq: |sqlstate|driver: bad connection|"
    r"sql: database is closed|too many (?:clients|connections)|connection reset by peer.*sql|"
    r"database (?:is )?unavailable|migrations? (?:are |is )?(?:pending|not applied)|"
    r"hydra migrate sql|the database schema is not up to date|no such table",
    re.IGNORECASE,
)
_CLIENT_AUTH = re.compile(
    r"client authentication failed|invalid_client|hashedpassword is not the hash|"
    r"requested oauth 2\.0 client does not exist|unknown client|"
    r"client_secret_(?:basic|post)|token_endpoint_auth_method",
    re.IGNORECASE,
)
_ERROR_LEVELS = ("error", "fatal", "panic")


def classify(line: str) -> tuple[Kind, _Parsed] | None:
    """The kind of a line and its fields, or None for lines without a verdict (requests handled,
    access allowed, start-up)."""
    parsed = _parse(line)
    text = parsed.whole
    if _DATABASE.search(text) and (parsed.level in (*_ERROR_LEVELS, "warning", "warn")):
        return Kind.DATABASE, parsed
    if _DATABASE.search(parsed.error + " " + parsed.debug):
        return Kind.DATABASE, parsed
    denied = parsed.msg.lower().startswith("access denied")
    failed = parsed.level in _ERROR_LEVELS or denied
    if failed and _CLIENT_AUTH.search(" ".join((parsed.msg, parsed.error, parsed.debug))):
        return Kind.CLIENT_AUTH, parsed
    if denied:
        return Kind.ACCESS_DENIED, parsed
    if parsed.level in _ERROR_LEVELS:
        if "could not be authorized" in parsed.error.lower() or "inactive" in text:
            return Kind.ACCESS_DENIED, parsed
        return Kind.OTHER_ERROR, parsed
    return None


def _summary(parsed: _Parsed) -> str:
    parts = [parsed.msg or "(no message)"]
    if parsed.error:
        parts.append(f"— {parsed.error}")
    if parsed.debug and parsed.debug not in parsed.error:
        parts.append(f"({parsed.debug})")
    if parsed.path:
        request = f"{parsed.method} {parsed.path}" if parsed.method else parsed.path
        parts.append(f"[{request}" + (f" → {parsed.status}]" if parsed.status else "]"))
    elif parsed.status:
        parts.append(f"[{parsed.status}]")
    text = scrub(" ".join(" ".join(parts).split()))
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1] + "…"


def mentions(line: str, client_id: str) -> bool:
    """Whether the line names this client id as a whole word."""
    if not client_id:
        return False
    for match in re.finditer(re.escape(client_id), line):
        before = line[match.start() - 1] if match.start() else " "
        after = line[match.end()] if match.end() < len(line) else " "
        if not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_"):
            return True
    return False


def parse(text: str, *, client_id: str | None = None, pod: str = "") -> list[HydraLine]:
    """Classified lines, oldest first; lines without a verdict are dropped."""
    out: list[HydraLine] = []
    for raw in text.splitlines():
        line = raw.strip()[:MAX_LINE]
        if not line:
            continue
        found = classify(line)
        if found is None:
            continue
        kind, parsed = found
        out.append(
            HydraLine(
                kind=kind,
                timestamp=parsed.time,
                level=parsed.level or "?",
                summary=_summary(parsed),
                path=parsed.path,
                pod=pod,
                mentions_client=bool(client_id) and mentions(line, client_id or ""),
            )
        )
    return out


def last(lines: Iterable[HydraLine], count: int = 3) -> list[HydraLine]:
    """The newest `count` lines, oldest first."""
    items = list(lines)
    return items[-count:]
