"""How a JWT is shown in a reply: its header, its claims one per line, values cut short.

`decode` shows the whole token this way and `header` quotes from it; keeping the spelling in one
place means a claim looks the same in every answer. Claims are not secrets; the signature is
never shown.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from handlers.core.timefmt import relative, utc
from handlers.tokens.reading import DecodedJwt, token_kind

TIME_CLAIMS = ("exp", "nbf", "iat", "auth_time")
_MAX_CLAIM_CHARS = 200


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


def describe(decoded: DecodedJwt, now: datetime) -> tuple[str, str]:
    """A title naming `alg`, `typ` and `kid`, and a detail with the header, kind, audiences,
    scopes and every claim."""
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
