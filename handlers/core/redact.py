"""Fingerprints instead of secrets, on every output path.

A token or client secret must never reach Slack, a log line, an exception text or a stored job
result. Checks show `fingerprint(value)`; the `Redactor` is the safety net that scrubs any known
secret that slipped into text anyway (for example inside an exception message from a library).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

#: Shorter values are too likely to collide with ordinary words to be scrubbed by substring.
MIN_SCRUB_LENGTH = 6

#: Words of the protocol itself: a "secret" equal to one of them reveals nothing the answer does
#: not say anyway (`header Bearer` is a scheme with the token missing), and scrubbing them would
#: rewrite every sentence about Bearer tokens or Basic credentials.
PROTOCOL_WORDS = frozenset(
    {"bearer", "basic", "dpop", "digest", "negotiate", "token", "authorization", "mac", "hoba"}
)
#: An ordinary word (letters only, short) may also be a real client secret or password
#: ("secret", "client", "password"). Findings never carry raw values — checks show
#: `describe_secret` — so such a word in a finding is the bot's own prose, and is scrubbed only
#: where it stands as a value: right after `=`, `:` or a quote (`client_secret=client`).
_ORDINARY_WORD = re.compile(r"[A-Za-z][a-z]{0,11}")
_VALUE_BEFORE = r"(?:(?<=[=:'\"`])|(?<=[=:] ))"


#: A run of token characters long enough to be the start of a secret (see `Redactor._cut_piece`).
_PIECE = re.compile(r"(?<![A-Za-z0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def fingerprint(value: str | bytes) -> str:
    """`sha256:` + the first 12 hex digits: enough to compare two values, useless to replay."""
    raw = value.encode() if isinstance(value, str) else value
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:12]


#: Only a token at least this long may show its last characters: 4 of 32+ random characters
#: still leave far too many to guess, while 4 of a 12-character secret are a third of it.
TOKEN_TAIL_MIN = 32


def tail(value: str, keep: int = 4) -> str:
    """At most the last `keep` (≤ 4) characters, and none of a value shorter than 32."""
    if len(value) < TOKEN_TAIL_MIN:
        return "…"
    return "…" + value[-min(keep, 4) :]


def describe_secret(value: str) -> str:
    """How a client secret or password is shown: fingerprint and length, never a character.

    They are often short and chosen by people, so even a tail would give away a real part."""
    return f"{fingerprint(value)} ({len(value)} chars)"


def describe_token(value: str) -> str:
    """How a token is shown: fingerprint and length, and its last 4 characters only when it is
    at least 32 long (enough to tell two tokens in a thread apart, useless to replay)."""
    end = tail(value)
    ends = f", ends {end}" if end != "…" else ""
    return f"{fingerprint(value)} ({len(value)} chars{ends})"


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
        if not value or value.strip().lower() in PROTOCOL_WORDS:
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
            words = [s for s in ordered if _ORDINARY_WORD.fullmatch(s)]
            others = [s for s in ordered if not _ORDINARY_WORD.fullmatch(s)]
            alternatives = [re.escape(s) for s in others]
            if words:  # see _ORDINARY_WORD: only where the word stands as a value
                joined = "|".join(re.escape(w) for w in words)
                alternatives.append(f"{_VALUE_BEFORE}(?:{joined})(?![A-Za-z0-9])")
            self._pattern = re.compile("|".join(alternatives))
        return self._pattern

    def text(self, value: str) -> str:
        pattern = self._compiled()
        if pattern is None or not value:
            return value
        scrubbed = pattern.sub(lambda m: f"[{fingerprint(m.group(0))}]", value)
        return _PIECE.sub(lambda m: self._cut_piece(m.group(0)), scrubbed)

    def _cut_piece(self, word: str) -> str:
        """A word that is the start of a known secret, left by a cut somewhere upstream (an
        excerpt of an answer): it is hidden too, since `s3cr3t-valu` gives away `s3cr3t-value`.
        Words of lower-case letters only are prose and stay (see `_PIECE_MIN`)."""
        if word.isalpha() and word.islower():
            return word
        for secret in self._secrets:
            # At least half of it: a public prefix (a client id before `:secret`, a JWT's
            # header) is not the secret, while most of one gives it away.
            if len(secret) > len(word) >= len(secret) / 2 and secret.startswith(word):
                return "[…cut secret]"
        return word

    def excerpt(self, value: str, limit: int) -> str:
        """At most `limit` characters of `value` for a finding, redacted BEFORE the cut: a secret
        cut in half matches nothing afterwards. A trailing start of a secret and base64 words that
        decode to a secret (or the start of one) are removed too."""
        cut = self.text(" ".join(value.split()))[:limit]
        words = re.split(r"([\s'\"`<>(),;:=&])", cut)
        if words:
            last = words[-1]
            if any(s.startswith(last) for s in self._secrets if len(last) >= 3):
                words[-1] = "…"
        return "".join(self._decoded_piece(w) for w in words).strip()

    def _decoded_piece(self, word: str) -> str:
        """`word`, unless it is base64 (standard or URL-safe, possibly cut short) of text that
        holds the start of a known secret, or ends with a good part of one."""
        if len(word) < 8 or not _BASE64.fullmatch(word):
            return word
        usable = word.rstrip("=")
        usable = usable[: len(usable) - len(usable) % 4]  # whole groups only: it may be cut
        url_safe = "-" in word or "_" in word
        try:
            raw = base64.b64decode(usable, altchars=b"-_" if url_safe else None)
        except (ValueError, binascii.Error):
            return word
        decoded = raw.decode("utf-8", errors="ignore")
        for secret in self._secrets:
            if len(secret) < MIN_SCRUB_LENGTH:
                continue
            start = secret[: max(4, min(len(decoded), len(secret)) // 2)]
            if secret[:8] in decoded or decoded.endswith(start):
                return "[…base64 of a secret]"
        return word

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
