"""AWS Signature Version 4 `Authorization` headers: parsing and the mistakes visible offline.

    AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-central-1/s3/aws4_request,
        SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=<64 lowercase hex>

The signature cannot be checked without the secret key, but much of what makes AWS answer
`SignatureDoesNotMatch`, `AuthorizationHeaderMalformed` or `RequestTimeTooSkewed` can: a broken
component, a credential scope date that is not the `X-Amz-Date` date, a request time more than 15
minutes away from now, `host` left out of the signed headers, a temporary key without its session
token. The access key id is an identifier (shown as type prefix and last 4); the signature is a
secret (registered with the redactor, shown by fingerprint).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.schemes.apikeys import key_id_shown

ALGORITHM = "AWS4-HMAC-SHA256"
SIGV4A = "AWS4-ECDSA-P256-SHA256"
#: AWS refuses requests whose time is further than this from its own clock.
MAX_SKEW = timedelta(minutes=15)
_COMPONENTS = ("Credential", "SignedHeaders", "Signature")
_KEY_ID = re.compile(r"[A-Z0-9]{16,128}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9-]*")
_HEADER_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")


def is_sigv4(value: str) -> bool:
    return value.strip().upper().startswith("AWS4-")


@dataclass
class Parsed:
    algorithm: str
    components: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[Severity, str, str, str]] = field(default_factory=list)

    def problem(self, status: Severity, title: str, detail: str = "", remedy: str = "") -> None:
        self.problems.append((status, title, detail, remedy))


def parse(value: str) -> Parsed:
    """The algorithm and `Name=value` components; shape problems are collected, not raised."""
    text = value.strip()
    algorithm, _, rest = text.partition(" ")
    parsed = Parsed(algorithm)
    for raw in rest.split(","):
        part = raw.strip()
        if not part:
            continue
        name, eq, val = part.partition("=")
        name = name.strip()
        if not eq:
            parsed.problem(
                Severity.FAIL,
                "Malformed SigV4 component (no `=`)",
                f"A component of {len(part)} characters has no `name=value` form.",
                "Components are `Credential=…, SignedHeaders=…, Signature=…`.",
            )
            continue
        glued = next((c for c in _COMPONENTS if f" {c}=" in val), None)
        if glued:
            parsed.problem(
                Severity.FAIL,
                f"`{name}` and `{glued}` are not separated by a comma",
                "AWS splits the components at commas; without one, the value of "
                f"`{name}` runs into `{glued}` and AWS answers AuthorizationHeaderMalformed or "
                "IncompleteSignature.",
                "Separate the components with `, `.",
            )
            val = val.split(f" {glued}=", 1)[0]
        if name not in _COMPONENTS:
            canonical = next((c for c in _COMPONENTS if c.lower() == name.lower()), None)
            if canonical is None:
                parsed.problem(Severity.WARN, f"Unknown SigV4 component `{name[:40]}`")
                continue
            parsed.problem(
                Severity.FAIL,
                f"Component written `{name}` instead of `{canonical}`",
                "AWS matches component names exactly.",
                f"Write `{canonical}=`.",
            )
            name = canonical
        if name in parsed.components:
            parsed.problem(Severity.FAIL, f"Component `{name}` appears twice")
            continue
        parsed.components[name] = val.strip()
    return parsed


def _amz_time(value: str) -> datetime | None:
    if not _AMZ_DATE.fullmatch(value.strip()):
        return None
    try:
        return datetime.strptime(value.strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _minutes(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 7200:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


@dataclass(frozen=True)
class _Out:
    signature: str
    key_id: str

    def __call__(
        self, status: Severity, title: str, detail: str = "", remedy: str = "", **evidence: Any
    ) -> Finding:
        ev: dict[str, Any] = {"scheme": "AWS SigV4"}
        if self.key_id:
            ev["access_key_id"] = key_id_shown(self.key_id)
        if self.signature:
            ev["signature_fingerprint"] = fingerprint(self.signature)
        return Finding("header", status, title, detail, remedy, {**ev, **evidence})


def lint(
    value: str, headers: Mapping[str, str] | None, now: datetime
) -> tuple[list[Finding], list[str]]:
    """Findings about one SigV4 Authorization value, and the secrets found in it (the
    signature) for the caller to register with the redactor.

    `headers` are the other request headers (lower-case names) when a curl command or a request
    dump was pasted, None when only the value was.
    """
    parsed = parse(value)
    signature = parsed.components.get("Signature", "")
    credential = parsed.components.get("Credential", "")
    scope = credential.split("/")
    key_id = scope[0] if scope and _KEY_ID.fullmatch(scope[0]) else ""
    out = _Out(signature, key_id)
    findings = [out(s, t, d, r) for s, t, d, r in parsed.problems]
    if parsed.algorithm not in (ALGORITHM, SIGV4A):
        findings.append(
            out(
                Severity.FAIL,
                f"Unknown SigV4 algorithm `{parsed.algorithm[:40]}`",
                f"AWS Signature Version 4 uses `{ALGORITHM}` (or `{SIGV4A}` for SigV4a).",
                f"Start the value with `{ALGORITHM} `.",
            )
        )
    for name in _COMPONENTS:
        if name not in parsed.components:
            findings.append(
                out(
                    Severity.FAIL,
                    f"The SigV4 header has no `{name}`",
                    "AWS needs Credential, SignedHeaders and Signature; it answers "
                    "IncompleteSignature or AuthorizationHeaderMalformed.",
                    "Let an AWS SDK or `curl --aws-sigv4` build the header.",
                )
            )
    findings += _credential(out, credential, parsed.algorithm)
    signed = parsed.components.get("SignedHeaders")
    findings += _signed_headers(out, signed, headers) if signed is not None else []
    findings += _signature(out, signature) if "Signature" in parsed.components else []
    findings += _time(out, scope, headers, now)
    if not any(f.status.is_problem for f in findings):
        region, service = (scope[2], scope[3]) if len(scope) == 5 else ("?", "?")
        findings.append(
            out(
                Severity.OK,
                "SigV4 header is well-formed",
                f"key {key_id_shown(key_id)}, scope {'/'.join(scope[1:])}, signed headers "
                f"{signed}. Region {region}, service {service}. The signature itself can only "
                "be checked with the secret key: if AWS answers SignatureDoesNotMatch, the "
                "secret key is wrong or the request changed after signing (a proxy adding or "
                "rewriting a signed header, the path or query encoded differently, the body "
                "not matching x-amz-content-sha256).",
            )
        )
    return findings, [s for s in (signature,) if s]


def _credential(out: _Out, credential: str, algorithm: str) -> list[Finding]:
    if not credential:
        return []
    parts = credential.split("/")
    if len(parts) != 5:
        return [
            out(
                Severity.FAIL,
                f"The credential scope has {len(parts)} parts, not 5",
                "Credential is `<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request`.",
                "Let the SDK build it; a `/` inside a value or a missing part breaks it.",
            )
        ]
    key_id, date, region, service, terminator = parts
    findings = []
    if not _KEY_ID.fullmatch(key_id):
        findings.append(
            out(
                Severity.FAIL,
                "The access key id is malformed",
                f"{len(key_id)} characters; access key ids are upper-case letters and digits "
                "(20 characters, `AKIA…` long-term, `ASIA…` temporary).",
                "Check which value ended up in the key id (a secret key has lower case and `/`).",
            )
        )
    try:
        datetime.strptime(date, "%Y%m%d")
    except ValueError:
        findings.append(
            out(
                Severity.FAIL,
                "The credential scope date is not YYYYMMDD",
                f"Got {len(date)} characters where a date like 20240101 belongs.",
                "Use the UTC date of the request, the first 8 characters of X-Amz-Date.",
            )
        )
    if algorithm == ALGORITHM and not _REGION.fullmatch(region):
        findings.append(
            out(
                Severity.FAIL,
                f"The credential scope region `{region[:40]}` is not a region code",
                "Regions are written like `eu-central-1` or `us-gov-west-1`, lower case.",
                "Sign for the region the endpoint is in (S3 answers AuthorizationHeaderMalformed "
                "naming the region it expected).",
            )
        )
    if not _SERVICE.fullmatch(service):
        findings.append(
            out(
                Severity.FAIL,
                f"The credential scope service `{service[:40]}` is not a service code",
                "Services are lower-case signing names such as `s3`, `execute-api`, `sts`.",
                "Sign with the service's signing name.",
            )
        )
    if terminator != "aws4_request":
        findings.append(
            out(
                Severity.FAIL,
                "The credential scope does not end with `aws4_request`",
                f"It ends with `{terminator[:40]}`.",
                "The last part of the scope is always the literal `aws4_request`.",
            )
        )
    return findings


def _signed_headers(out: _Out, signed: str, headers: Mapping[str, str] | None) -> list[Finding]:
    names = signed.split(";")
    findings = []
    bad = [n for n in names if not _HEADER_NAME.fullmatch(n)]
    if bad or names != sorted(names) or len(set(names)) != len(names):
        findings.append(
            out(
                Severity.FAIL,
                "SignedHeaders is not a sorted, lower-case, `;`-separated list",
                f"{len(names)} names; AWS rebuilds the list the canonical way and the signature "
                "no longer matches.",
                "Lower-case, sort and de-duplicate the header names, separated by `;`.",
            )
        )
    lowered = {n.lower() for n in names}
    if "host" not in lowered and ":authority" not in lowered:
        findings.append(
            out(
                Severity.FAIL,
                "`host` is missing from SignedHeaders",
                "SigV4 requires the Host header to be signed; AWS refuses the signature.",
                "Sign `host` (the SDKs always do; a hand-built signer or a proxy that rewrites "
                "Host is the usual culprit).",
                signed_headers=names,
            )
        )
    if headers is not None:
        if "x-amz-date" in headers and "x-amz-date" not in lowered:
            findings.append(
                out(
                    Severity.FAIL,
                    "X-Amz-Date is sent but not signed",
                    "When a request carries X-Amz-Date, it must be in SignedHeaders.",
                    "Add `x-amz-date` to the signed headers.",
                )
            )
        absent = [n for n in names if n not in headers and n not in ("host", ":authority")]
        if absent:
            findings.append(
                out(
                    Severity.WARN,
                    f"Signed header(s) not in the pasted request: {', '.join(absent[:5])}",
                    "AWS recomputes the signature from the headers it receives; a signed header "
                    "that does not arrive (or arrives changed) means SignatureDoesNotMatch.",
                    "Send every signed header exactly as signed (a proxy may drop or rewrite it).",
                )
            )
    return findings


def _signature(out: _Out, signature: str) -> list[Finding]:
    if re.fullmatch(r"[0-9a-f]{64}", signature):
        return []
    if re.fullmatch(r"[0-9a-fA-F]{64}", signature):
        detail = "It is written in upper case; AWS compares lower-case hex."
    elif re.fullmatch(r"[0-9a-fA-F]*", signature):
        detail = f"It has {len(signature)} hex digits, not 64: truncated or padded."
    else:
        detail = f"It has {len(signature)} characters and not only hex digits (base64?)."
    return [
        out(
            Severity.FAIL,
            "The signature is not 64 lower-case hex digits",
            detail,
            "The signature is the hex HMAC-SHA256 of the string to sign, lower case.",
        )
    ]


def _time(
    out: _Out,
    scope: list[str],
    headers: Mapping[str, str] | None,
    now: datetime,
) -> list[Finding]:
    scope_date = scope[1] if len(scope) == 5 else None
    if headers is None:
        if scope_date is None:
            return []
        try:
            day = datetime.strptime(scope_date, "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            return []
        if abs(now - day) > timedelta(days=1, minutes=15) and now.date() != day.date():
            return [
                out(
                    Severity.WARN,
                    f"The credential scope date is {_minutes(now - day)} from today",
                    f"Scope date {scope_date}, today {now:%Y%m%d} (UTC). A SigV4 signature is "
                    "good for 15 minutes; a header copied from an old request cannot work.",
                    "Sign again now; paste the whole request (curl or dump) to check X-Amz-Date.",
                )
            ]
        return [
            out(
                Severity.INFO,
                "Request time not checked: only the header value was pasted",
                "With the curl command or the raw request, X-Amz-Date is compared with the "
                "credential scope and with the clock.",
            )
        ]
    findings = []
    raw = headers.get("x-amz-date")
    when: datetime | None = None
    source = "X-Amz-Date"
    if raw is not None:
        when = _amz_time(raw)
        if when is None:
            findings.append(
                out(
                    Severity.FAIL,
                    "X-Amz-Date is not in the basic ISO 8601 form",
                    f"Got `{raw.strip()[:40]}`; AWS wants `YYYYMMDDTHHMMSSZ` (e.g. "
                    "20240101T120000Z), UTC.",
                    "Format the time as `%Y%m%dT%H%M%SZ` in UTC.",
                )
            )
    elif headers.get("date"):
        when = _http_date(headers["date"])
        source = "Date"
    else:
        findings.append(
            out(
                Severity.FAIL,
                "The request has no X-Amz-Date (or Date) header",
                "SigV4 signs the request time; without it AWS cannot check the signature.",
                "Send `X-Amz-Date: <YYYYMMDDTHHMMSSZ>` and sign it.",
            )
        )
    if when is None:
        return findings
    if scope_date and when.strftime("%Y%m%d") != scope_date:
        findings.append(
            out(
                Severity.FAIL,
                f"The credential scope date {scope_date} is not the {source} date {when:%Y%m%d}",
                "AWS derives the signing key from the scope date and checks it against the "
                'request time ("Date in Credential scope does not match YYYYMMDD from ISO-8601 '
                'version of date from HTTP"); the signature cannot match.',
                "Use one timestamp for both: the scope date is the first 8 characters of "
                "X-Amz-Date.",
            )
        )
    skew = when - now
    if abs(skew) > MAX_SKEW:
        direction = "behind" if skew.total_seconds() < 0 else "ahead of"
        findings.append(
            out(
                Severity.FAIL,
                f"The request time is {_minutes(skew)} {direction} now: more than 15 minutes",
                f"{source} {when.isoformat()}, now {now.isoformat()}. AWS refuses signatures "
                'more than 15 minutes off its clock (RequestTimeTooSkewed / "Signature '
                'expired").',
                "Sign each request when it is sent (never reuse a signed header) and keep the "
                "client clock in sync (NTP).",
                skew_s=int(skew.total_seconds()),
            )
        )
    key_id = scope[0] if scope else ""
    if key_id.startswith("ASIA") and "x-amz-security-token" not in headers:
        findings.append(
            out(
                Severity.FAIL,
                "A temporary key (`ASIA…`) without X-Amz-Security-Token",
                "Temporary credentials (STS, an assumed role, SSO) are only valid with their "
                "session token; AWS answers InvalidAccessKeyId / InvalidClientTokenId.",
                "Send the session token as `X-Amz-Security-Token` (and sign it).",
            )
        )
    return findings
