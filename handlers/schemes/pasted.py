"""Finding the Authorization header in what people paste: a bare value, a header line, a raw
request dump, or the curl command that failed.

Only parsing lives here (no judgement): `header` lints what `locate` finds, SigV4 reads the other
headers `request_headers` returns, and an API key sent in its own header is found by
`api_key_header`. Nothing is shown; callers register every credential with the redactor.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from handlers.schemes import apikeys

_HEADER_LINE = re.compile(r"^\s*authorization\s*:", re.IGNORECASE)
_CURL = re.compile(r"^\s*(?:\$\s*)?curl(?:\.exe)?\s", re.IGNORECASE)
QUOTE_CHARS = "\"'`"
#: `Name: value` as a request line in a pasted dump (RFC 9110 token characters in the name).
_HEADER_FIELD = re.compile(r"^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:[ \t]?(.*)$")


@dataclass
class Pasted:
    """Where the header value came from, and what else that told us."""

    value: str
    origin: str  # "value", "line" or "curl"
    authorization_headers: int = 0  # how many `-H 'Authorization: …'` a curl command sends
    basic_user: tuple[str, str] | None = None  # curl -u id:secret
    encoded_credentials: bool = False  # curl sent X-CF-ENCODED-CREDENTIALS: true
    aws_sigv4: str | None = None  # curl --aws-sigv4 "aws:amz:region:service"


def _unwrap(text: str) -> str:
    """Drops one pair of quotes around the whole input: that is shell quoting, not the header."""
    text = text.strip()
    if len(text) >= 2 and text[0] in QUOTE_CHARS and text[-1] == text[0]:
        inner = text[1:-1]
        if text[0] not in inner:
            return inner
    return text


def _curl_headers(words: list[str]) -> Iterator[tuple[str, str]]:
    """(flag, value) for every header, user and body option of a curl command line."""
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        for flag in ("-H", "--header", "-u", "--user"):
            if word == flag and index < len(words):
                yield flag, words[index]
                index += 1
                break
            if flag.startswith("--") and word.startswith(flag + "="):
                yield flag, word[len(flag) + 1 :]
                break
            if not flag.startswith("--") and word.startswith(flag) and len(word) > len(flag):
                yield flag, word[len(flag) :]
                break


def _from_curl(text: str) -> Pasted:
    try:
        words = shlex.split(text.replace("\\\n", " ").replace("\\\r\n", " "))
    except ValueError:
        words = text.split()
    source = Pasted(value="", origin="curl")
    for index, word in enumerate(words):
        if word == "--aws-sigv4" and index + 1 < len(words):
            source.aws_sigv4 = words[index + 1]
        elif word.startswith("--aws-sigv4="):
            source.aws_sigv4 = word.split("=", 1)[1]
    auth_values: list[str] = []
    for flag, value in _curl_headers(words):
        if flag in ("-u", "--user"):
            user, _, secret = value.partition(":")
            source.basic_user = (user, secret)
            continue
        name, _, rest = value.partition(":")
        if name.strip().lower() == "authorization":
            auth_values.append(rest)
        elif name.strip().lower() == "x-cf-encoded-credentials":
            source.encoded_credentials = rest.strip().lower() == "true"
    source.authorization_headers = len(auth_values)
    if auth_values:
        source.value = auth_values[-1]
    return source


def locate(text: str) -> Pasted:
    """The Authorization value from a bare value, a header line or a curl command."""
    text = _unwrap(text)
    if _CURL.match(text):
        return _from_curl(text)
    if _HEADER_LINE.match(text):
        first, *more = text.split("\n")
        if more and all(_HEADER_FIELD.match(line) for line in more if line.strip()):
            # A dump starting with the Authorization line: the other lines are other headers.
            return Pasted(value=first.split(":", 1)[1].rstrip("\r"), origin="line")
        return Pasted(value=text.split(":", 1)[1], origin="line")
    # A pasted raw request or response dump: the header is one of its lines.
    for line in text.splitlines()[1:]:
        if _HEADER_LINE.match(line):
            return Pasted(value=line.split(":", 1)[1], origin="line")
    return Pasted(value=text, origin="value")


def request_headers(text: str) -> dict[str, str] | None:
    """The other headers of a pasted curl command or request dump (lower-case names), or None
    when only a header value or a single header line was pasted."""
    text = _unwrap(text)
    found: dict[str, str] = {}
    if _CURL.match(text):
        try:
            words = shlex.split(text.replace("\\\n", " ").replace("\\\r\n", " "))
        except ValueError:
            words = text.split()
        for flag, value in _curl_headers(words):
            if flag in ("-H", "--header"):
                name, _, rest = value.partition(":")
                found.setdefault(name.strip().lower(), rest.strip())
        return found
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    for line in lines:
        match = _HEADER_FIELD.match(line)
        if match:
            found.setdefault(match.group(1).lower(), match.group(2).strip())
    return found


def api_key_header(text: str) -> tuple[str, str] | None:
    """(name as written, value) of the first API-key header line in the paste, if any."""
    text = _unwrap(text)
    if _CURL.match(text):
        try:
            words = shlex.split(text.replace("\\\n", " "))
        except ValueError:
            words = text.split()
        lines = [v for f, v in _curl_headers(words) if f in ("-H", "--header")]
    else:
        lines = text.splitlines()
    for line in lines:
        match = _HEADER_FIELD.match(line)
        if match and match.group(1).lower().replace("_", "-") in apikeys.KEY_HEADERS:
            return match.group(1), match.group(2)
    return None
