"""Fingerprints instead of secrets, on every output path.

A token or client secret must never reach Slack, a log line, an exception text or a stored job
result. Checks show `fingerprint(value)`; the `Redactor` is the safety net that scrubs any known
secret that slipped into text anyway (for example inside an exception message from a library).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

#: Shorter values are too likely to collide with ordinary words to be scrubbed by substring.
MIN_SCRUB_LENGTH = 6


def fingerprint(value: str | bytes) -> str:
    """`sha256:` + the first 12 hex digits: enough to compare two values, useless to replay."""
    raw = value.encode() if isinstance(value, str) else value
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:12]


def tail(value: str, keep: int = 4) -> str:
    """At most the last `keep` characters, and none of a value too short to spare them."""
    if len(value) < 3 * keep:
        return "…"
    return "…" + value[-keep:]


def describe_secret(value: str) -> str:
    """How a secret is shown to people: fingerprint, length and tail."""
    return f"{fingerprint(value)} ({len(value)} chars, ends {tail(value)})"


def _variants(value: str) -> set[str]:
    """Spellings of a secret that may end up in text: raw, URL-encoded, inside Basic."""
    out = {value, value.strip()}
    out.add(quote(value, safe=""))
    out.add(quote_plus(value, safe=""))
    return {v for v in out if len(v) >= MIN_SCRUB_LENGTH}


class Redactor:
    """Knows the secret values of one job and removes them from any text or structure."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for s in secrets:
            self.add(s)

    def add(self, value: str | None) -> None:
        if not value:
            return
        new = _variants(value)
        # A JWT is also leaked by its signature alone, and Basic credentials by their base64.
        if value.count(".") == 2:
            new |= {p for p in value.split(".")[2:] if len(p) >= 16}
        if not new - self._secrets:
            return
        self._secrets |= new
        self._pattern = None

    def add_basic(self, user: str, password: str) -> None:
        """Registers the base64 forms of Basic credentials built from these values."""
        for pair in (f"{user}:{password}", f"{quote_plus(user)}:{quote_plus(password)}"):
            self.add(base64.b64encode(pair.encode()).decode())
        self.add(password)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def _compiled(self) -> re.Pattern[str] | None:
        if not self._secrets:
            return None
        if self._pattern is None:
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(s) for s in ordered))
        return self._pattern

    def text(self, value: str) -> str:
        pattern = self._compiled()
        if pattern is None or not value:
            return value
        return pattern.sub(lambda m: f"[{fingerprint(m.group(0))}]", value)

    def scrub(self, value: Any) -> Any:
        """Deep copy of `value` with every string passed through `text`."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub(v) for v in value]
        return value

    def leaks(self, value: str) -> list[str]:
        """Fingerprints of the secrets found in `value`; used by tests and by the final guard."""
        return sorted({fingerprint(s) for s in self._secrets if s in value})
