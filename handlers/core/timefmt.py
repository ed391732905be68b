"""How times are shown to people in the middle of an incident.

Token times are NumericDates (RFC 7519: seconds since the epoch). Whoever reads a finding wants to
know two things at once: the absolute time (to match it against logs, which are in UTC) and how
far that is from now ("expired 3 h ago"). Both helpers are here so every check says it the same way.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

#: Beyond 9999-12-31 `datetime` cannot represent the value; a NumericDate that large is almost
#: always milliseconds or microseconds sent where seconds were expected.
_MAX_EPOCH = 253_402_300_799
#: Below this we call two instants the same; clocks and rounding make anything finer noise.
_JUST_NOW_S = 5


def utc(dt: datetime) -> str:
    """`2026-11-25 10:31:40 UTC`; naive datetimes are taken as UTC (that is what tokens mean)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(seconds: float) -> str:
    """The largest whole unit that fits: `42 s`, `5 min`, `3 h`, `2 d`."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86_400:
        return f"{whole // 3600} h"
    return f"{whole // 86_400} d"


def relative(dt: datetime, now: datetime) -> str:
    """`3 h ago`, `in 5 min`, `2 d ago`, or `just now` within a few seconds."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    delta = (dt - now).total_seconds()
    if abs(delta) < _JUST_NOW_S:
        return "just now"
    if delta < 0:
        return f"{_span(-delta)} ago"
    return f"in {_span(delta)}"


def from_epoch(value: object) -> datetime | None:
    """An aware UTC datetime from seconds given as int, float or a numeric string.

    Returns None for anything that is not a plain number (booleans included: JSON `true` is not a
    time) and for values no real token carries: negative, NaN, infinite or past year 9999.
    """
    if isinstance(value, bool):
        return None
    number: float
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(number) or number < 0 or number > _MAX_EPOCH:
        return None
    return datetime.fromtimestamp(number, tz=UTC)
