"""When a SigV4 request was signed, against the credential scope date and the clock.

AWS refuses a signature whose request time is more than 15 minutes off its own clock, or whose
scope date is not the request's date; a header copied from an old request fails both. The judge
is pure ("now" is passed in), so tests pin the clock instead of waiting for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity

#: AWS refuses requests whose time is further than this from its own clock.
MAX_SKEW = timedelta(minutes=15)
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")


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


def time_findings(
    out: FindingBuilder,
    scope: list[str],
    headers: Mapping[str, str] | None,
    now: datetime,
) -> list[Finding]:
    """The request time against the scope date and the clock; with only the header value pasted,
    the scope date against today."""
    scope_date = scope[1] if len(scope) == 5 else None
    if headers is None:
        return _scope_date_only(out, scope_date, now)
    when, source, findings = _request_time(out, headers)
    if when is None:
        return findings
    findings += _scope_date_findings(out, scope_date, when, source)
    findings += _skew_findings(out, when, source, now)
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


def _scope_date_only(out: FindingBuilder, scope_date: str | None, now: datetime) -> list[Finding]:
    """No request pasted: only a scope date far from today can be told."""
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


def _request_time(
    out: FindingBuilder, headers: Mapping[str, str]
) -> tuple[datetime | None, str, list[Finding]]:
    """When the request says it was signed (X-Amz-Date, else Date), which header said so, and
    what is wrong with how it is written."""
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
    return when, source, findings


def _scope_date_findings(
    out: FindingBuilder, scope_date: str | None, when: datetime, source: str
) -> list[Finding]:
    """The scope date must be the request's UTC date: the signing key is derived from it."""
    findings = []
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
    return findings


def _skew_findings(
    out: FindingBuilder, when: datetime, source: str, now: datetime
) -> list[Finding]:
    """More than 15 minutes between the request time and now: AWS refuses it."""
    findings = []
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
    return findings
