"""`header <value>`: lint an Authorization header the way a picky server would read it.

People paste what they have: a bare value (`Bearer abc`), a whole `Authorization: …` line, or the
curl command that failed. We find the header in any of those and look for the mistakes that turn a
good credential into a 401: a misspelt or doubled scheme, quotes, stray whitespace or line breaks,
a truncated JWT, and for Basic the classic encoding traps (`echo` without `-n`, `+` in a secret
that Hydra URL-decodes into a space). Credentials never appear in the output: every credential
found is registered with the redactor and shown only as fingerprint, length and character kinds.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from handlers.commands.decode import inspect
from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.schemes import apikeys, sigv4
from handlers.tokens.reading import looks_like_jwt

CHECK = "header"
KNOWN_SCHEMES = ("Bearer", "Basic", "DPoP", "Digest", "Negotiate", "Token", "MAC", "HOBA")
#: RFC 6750 §2.1 b64token: the characters a Bearer token may consist of.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_HEADER_LINE = re.compile(r"^\s*authorization\s*:", re.IGNORECASE)
_CURL = re.compile(r"^\s*(?:\$\s*)?curl(?:\.exe)?\s", re.IGNORECASE)
#: RFC 6749 §2.3.1 wants client id and secret form-URL-encoded before base64; these characters
#: are where servers that do (Hydra) and servers that do not (UAA) disagree.
_SPECIAL = "+/=%$"
_QUOTE_CHARS = "\"'`"
#: `Name: value` as a request line in a pasted dump (RFC 9110 token characters in the name).
_HEADER_FIELD = re.compile(r"^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:[ \t]?(.*)$")


@dataclass
class _Source:
    """Where the header value came from, and what else that told us."""

    value: str
    origin: str  # "value", "line" or "curl"
    notes: list[Finding] = field(default_factory=list)
    basic_user: tuple[str, str] | None = None  # curl -u id:secret
    encoded_credentials: bool = False  # curl sent X-CF-ENCODED-CREDENTIALS: true
    aws_sigv4: str | None = None  # curl --aws-sigv4 "aws:amz:region:service"


@dataclass(frozen=True)
class _Out:
    credential: str

    def __call__(
        self, status: Severity, title: str, detail: str = "", remedy: str = "", **evidence: Any
    ) -> Finding:
        ev: dict[str, Any] = {}
        if self.credential:
            ev = {"fingerprint": fingerprint(self.credential), "length": len(self.credential)}
        return Finding(CHECK, status, title, detail, remedy, {**ev, **evidence})


def _unwrap(text: str) -> str:
    """Drops one pair of quotes around the whole input: that is shell quoting, not the header."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _QUOTE_CHARS and text[-1] == text[0]:
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


def _from_curl(text: str) -> _Source:
    try:
        words = shlex.split(text.replace("\\\n", " ").replace("\\\r\n", " "))
    except ValueError:
        words = text.split()
    source = _Source(value="", origin="curl")
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
    if len(auth_values) > 1:
        source.notes.append(
            Finding(
                CHECK,
                Severity.FAIL,
                f"The curl command sends {len(auth_values)} Authorization headers",
                "Servers take the first, the last, or reject the request; which one is not "
                "defined.",
                "Send exactly one `-H 'Authorization: …'`.",
            )
        )
    if auth_values:
        source.value = auth_values[-1]
    return source


def locate(text: str) -> _Source:
    """The Authorization value from a bare value, a header line or a curl command."""
    text = _unwrap(text)
    if _CURL.match(text):
        return _from_curl(text)
    if _HEADER_LINE.match(text):
        first, *more = text.split("\n")
        if more and all(_HEADER_FIELD.match(line) for line in more if line.strip()):
            # A dump starting with the Authorization line: the other lines are other headers.
            return _Source(value=first.split(":", 1)[1].rstrip("\r"), origin="line")
        return _Source(value=text.split(":", 1)[1], origin="line")
    # A pasted raw request or response dump: the header is one of its lines.
    for line in text.splitlines()[1:]:
        if _HEADER_LINE.match(line):
            return _Source(value=line.split(":", 1)[1], origin="line")
    return _Source(value=text, origin="value")


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


def _api_key_header(text: str) -> tuple[str, str] | None:
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


def _api_key_findings(name: str, raw: str, ctx: CheckContext) -> list[Finding]:
    """Lints a key sent in its own header (`X-API-Key: …`)."""
    value = raw.strip(" \t")
    ctx.redactor.add(value)
    out = _Out(value)
    findings = _whitespace_findings(out, raw, "line")
    value = value.strip("\r\n")
    if "_" in name:
        findings.append(
            out(
                Severity.WARN,
                f"Header name `{name}` contains `_`",
                "nginx (and ingress-nginx) silently drop headers with underscores unless "
                "`underscores_in_headers on` is set: the key never arrives.",
                f"Use `{name.replace('_', '-')}`.",
            )
        )
    words = value.split()
    if len(words) >= 2 and words[0].lower() in ("bearer", "basic", "apikey", "token"):
        findings.append(
            out(
                Severity.FAIL,
                f"`{name}` carries a scheme (`{words[0]}`) before the key",
                "API-key headers take the bare key; the server compares the whole value.",
                f"Send `{name}: <key>`.",
            )
        )
        value = words[-1]
    value, quoted = _strip_quotes(out, value)
    findings += quoted
    ctx.redactor.add(value)
    out = _Out(value)
    if not value:
        return [*findings, out(Severity.FAIL, f"`{name}` is empty")]
    kind = apikeys.kind_of(value)
    lowered = name.lower().replace("_", "-")
    if kind is not None and kind.vendor == "AWS":
        findings.append(out(Severity.FAIL, f"{_sentence_case(kind.what)} in `{name}`", kind.how))
    elif kind is not None and kind.vendor == "Google" and lowered != "x-goog-api-key":
        findings.append(
            out(
                Severity.WARN,
                f"{_sentence_case(kind.what)} in `{name}`",
                "Google APIs read the key from `X-goog-api-key` or the `key` query parameter.",
                kind.how,
            )
        )
    if not any(f.status.is_problem for f in findings):
        what = kind.what if kind else "a key of no recognised vendor format"
        findings.append(
            out(
                Severity.OK,
                f"API-key header `{name}` is well-formed: {what}",
                f"{apikeys.KEY_HEADERS[lowered]}; key {fingerprint(value)} ({len(value)} chars). "
                "If the server still answers 401, the key is wrong, revoked, or not valid for "
                "this API, stage or usage plan.",
                header=name,
            )
        )
    return findings


def _sentence_case(text: str) -> str:
    """`an AWS key` → `An AWS key` (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def _bearer_key_findings(out: _Out, token: str) -> list[Finding] | None:
    """A vendor's API key sent as a Bearer token: fine for some, a 401 for others."""
    kind = apikeys.kind_of(token)
    if kind is None:
        return None
    if kind.bearer_ok:
        return [
            out(
                Severity.OK,
                f"Header is well-formed: Bearer <{kind.what}>",
                f"{kind.vendor} accepts it this way. {kind.how}",
                vendor=kind.vendor,
            )
        ]
    return [
        out(
            Severity.FAIL,
            f"{_sentence_case(kind.what)} sent as a Bearer token",
            f"{kind.vendor} does not accept it as `Authorization: Bearer`; the answer is 401 "
            "however valid the key is.",
            kind.how,
            vendor=kind.vendor,
        )
    ]


def _aws_curl_findings(source: _Source) -> list[Finding]:
    """`curl --aws-sigv4 'aws:amz:region:service' --user KEY:SECRET`: curl signs by itself."""
    provider = source.aws_sigv4 or ""
    parts = provider.split(":")
    out = _Out("")
    findings = []
    if len(parts) < 4 or not all(parts[:4]):
        findings.append(
            out(
                Severity.WARN,
                "`--aws-sigv4` without region and service",
                f"Got `{provider[:60]}` ({len(parts)} parts). curl guesses region and service "
                "from the host name, which fails for custom domains and VPC endpoints.",
                "Write `--aws-sigv4 'aws:amz:<region>:<service>'`.",
            )
        )
    if source.basic_user is None or not source.basic_user[1]:
        findings.append(
            out(
                Severity.FAIL,
                "`--aws-sigv4` without `--user KEY_ID:SECRET`",
                "curl needs the access key id and secret access key to sign.",
                'Add `--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"` (and `-H '
                '"x-amz-security-token: $AWS_SESSION_TOKEN"` for temporary keys).',
            )
        )
    else:
        key_id = source.basic_user[0]
        findings.append(
            out(
                Severity.INFO,
                "curl signs this request with SigV4 itself",
                f"Provider `{provider[:60]}`, key {apikeys.key_id_shown(key_id)}; the secret "
                "access key is not shown.",
                evidence_key=apikeys.key_id_shown(key_id),
            )
        )
    return findings


def _kinds(value: str, chars: str) -> dict[str, int]:
    return {c: value.count(c) for c in chars if c in value}


def _count_text(counts: dict[str, int]) -> str:
    return ", ".join(f"`{c}` ({n}×)" for c, n in counts.items())


def _whitespace_findings(out: _Out, value: str, origin: str) -> list[Finding]:
    findings = []
    inner = value.strip(" \t")
    if re.search(r"[\r\n]", inner.strip("\r\n")):
        findings.append(
            out(
                Severity.FAIL,
                "Line break inside the header value",
                "A CR or LF inside the value splits the header (or the request is refused); a "
                "token copied from a wrapped terminal or a file read with its newline does this.",
                "Remove the line breaks: the value is a single line (`tr -d '\\n'`).",
            )
        )
    elif inner != inner.strip("\r\n"):
        findings.append(
            out(
                Severity.FAIL,
                "Trailing line break in the header value",
                "The value ends with a newline, e.g. from `$(cat token.txt)` or `echo` into a "
                "file: the token the server compares is not the token that was issued.",
                "Strip the newline (`tr -d '\\n'`, or `echo -n`).",
            )
        )
    leading = value[: len(value) - len(value.lstrip(" \t"))]
    trailing = value[len(value.rstrip(" \t")) :]
    if trailing or (origin == "value" and leading) or len(leading) > 1 or "\t" in leading:
        findings.append(
            out(
                Severity.WARN,
                "Whitespace around the header value",
                f"{len(leading)} leading and {len(trailing)} trailing space/tab characters. "
                "Most servers trim them, but some proxies and token caches compare the raw value.",
                "Send `Authorization: <scheme> <credentials>` with no extra spaces.",
            )
        )
    return findings


def _scheme_findings(out: _Out, scheme: str) -> tuple[str | None, list[Finding]]:
    """The canonical scheme the value means (or None if unknown) and lints about how it is
    spelled."""
    exact = {s.lower(): s for s in KNOWN_SCHEMES}
    canonical = exact.get(scheme.lower())
    if canonical is not None:
        if scheme != canonical:
            return canonical, [
                out(
                    Severity.INFO,
                    f"Scheme written `{scheme}` instead of `{canonical}`",
                    "Schemes are case-insensitive (RFC 7235 §2.1), so this is legal, but some "
                    "servers and gateways only match the exact spelling.",
                    f"Write `{canonical}` if the server answers 401 without an error code.",
                )
            ]
        return canonical, []
    close = difflib.get_close_matches(scheme.lower(), list(exact), n=1, cutoff=0.6)
    if close and len(scheme) <= 12:
        guess = exact[close[0]]
        return guess, [
            out(
                Severity.FAIL,
                f"Misspelt scheme `{scheme}` (did you mean `{guess}`?)",
                "The server does not know this scheme and treats the request as unauthenticated.",
                f"Write `Authorization: {guess} <credentials>`.",
            )
        ]
    return None, [
        out(
            Severity.WARN,
            f"Unknown authentication scheme ({len(scheme)} characters)",
            "The first word of the value is not a scheme this bot knows (Bearer, Basic, DPoP, "
            "…); if it is the token itself, the scheme is missing.",
            "Write `Authorization: Bearer <token>` (or `Basic <base64>`).",
            scheme_fingerprint=fingerprint(scheme),
        )
    ]


def _missing_credential(scheme: str) -> Finding:
    """A scheme word alone: the credential after it is missing, typically an empty variable."""
    return _Out("")(
        Severity.FAIL,
        f"Missing token: `{scheme}` with nothing after it",
        "The header names the scheme but carries no credentials, so the server answers 401 as "
        "for no credentials at all. Usually the variable that should hold the token was empty "
        '(`-H "Authorization: Bearer $TOKEN"` with `TOKEN` unset, or a token request that failed).',
        f"Check that the token was obtained and the variable is set: `{scheme} <token>`.",
    )


def _missing_scheme(out: _Out, token: str) -> Finding:
    if looks_like_jwt(token) or token.startswith("eyJ"):
        fix = "Write `Authorization: Bearer <token>`."
        what = "It looks like a JWT, so the scheme is `Bearer`."
    elif _basic_pair(token) is not None:
        fix = "Write `Authorization: Basic <base64>`."
        what = "It decodes to `id:secret`, so the scheme is `Basic`."
    else:
        fix = "Write `Authorization: Bearer <token>` (or `Basic <base64 of id:secret>`)."
        what = "Servers read the first word as the scheme; there is only one word."
    return out(Severity.FAIL, "Missing scheme: the value is a bare credential", what, fix)


def _strip_quotes(out: _Out, credential: str) -> tuple[str, list[Finding]]:
    if credential and (credential[0] in _QUOTE_CHARS or credential[-1] in _QUOTE_CHARS):
        bare = credential.strip(_QUOTE_CHARS)
        return bare, [
            out(
                Severity.FAIL,
                "Quotes around the credentials",
                "The quote characters are sent as part of the token, so it no longer matches "
                "anything the issuer made (a JSON string or a shell variable copied with quotes).",
                'Remove the quotes: `Authorization: Bearer eyJ…`, not `Bearer "eyJ…"`.',
            )
        ]
    return credential, []


def _basic_pair(credential: str) -> tuple[str, str] | None:
    try:
        raw = base64.b64decode(credential, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if ":" not in text:
        return None
    user, _, secret = text.partition(":")
    return user, secret


def _bearer_findings(out: _Out, token: str, ctx: CheckContext) -> list[Finding]:
    if token.startswith("eyJ") and "." not in token:
        return [
            out(
                Severity.FAIL,
                "Truncated JWT: only the header segment is present",
                "The value starts like a JWT (`eyJ`) but has no dots.",
                "Copy the whole token again (header.payload.signature).",
            )
        ]
    findings = []
    if not _B64TOKEN.fullmatch(token):
        bad = sorted({c for c in token if not _B64TOKEN.fullmatch(c)})
        kinds = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        findings.append(
            out(
                Severity.WARN,
                "Bearer token contains characters a token may not have",
                f"RFC 6750 b64token allows letters, digits and `-._~+/` (then `=`); found {kinds}.",
                "Check the token was not URL-encoded, JSON-escaped or mixed with other text.",
            )
        )
    return findings + _summary(out, token, ctx)


def _summary(out: _Out, token: str, ctx: CheckContext) -> list[Finding]:
    """Reuses `decode` for the verdict on the token itself, shortened to what matters here:
    its problems if it has any, otherwise one ok line with the expiry."""
    decoded = inspect(token, ctx.clock())
    problems = [f for f in decoded if f.status.is_problem]
    if problems:
        return [
            Finding(
                CHECK, f.status, f.title, f.detail, f"{f.remedy} (`decode` shows more.)", f.evidence
            )
            for f in problems
        ]
    expiry = next((f.title for f in decoded if f.status is Severity.OK), None)
    if expiry is None:
        first = decoded[0]
        return [
            out(
                Severity.OK,
                "Header is well-formed: Bearer <token that cannot be read offline>",
                f"{first.title}. {first.detail}",
                "Run `introspect` to learn whether the token is active.",
            )
        ]
    return [
        out(
            Severity.OK,
            "Header is well-formed: Bearer <JWT>",
            f"{expiry} (signature not verified; `decode` shows all claims).",
        )
    ]


def _demote(finding: Finding) -> Finding:
    """With a problem elsewhere in the header, "well-formed" is only true of the token."""
    if finding.status is not Severity.OK:
        return finding
    title = finding.title.replace("Header is well-formed", "The token itself looks fine")
    return Finding(CHECK, Severity.INFO, title, finding.detail, finding.remedy, finding.evidence)


def _special_findings(out: _Out, user: str, secret: str, encoded: bool) -> list[Finding]:
    findings = []
    for role, value in (("client id", user), ("secret", secret)):
        counts = _kinds(value, _SPECIAL)
        if not counts:
            continue
        risky = "+" in counts or "%" in counts
        header_note = (
            " The request sets `X-CF-ENCODED-CREDENTIALS: true`, so UAA URL-decodes too."
            if encoded
            else ""
        )
        findings.append(
            out(
                Severity.WARN if risky else Severity.INFO,
                f"The {role} contains {_count_text(counts)}",
                "RFC 6749 §2.3.1 says to form-URL-encode id and secret before base64. Ory Hydra "
                "URL-decodes them, so a raw `+` becomes a space and `%xx` is decoded: the "
                "secret no longer matches. SAP XSUAA/UAA takes them raw unless the request "
                f"sends `X-CF-ENCODED-CREDENTIALS: true`.{header_note}",
                "For Hydra: URL-encode id and secret before base64 (`+` → `%2B`, `/` → `%2F`, "
                "`=` → `%3D`, `%` → `%25`, `$` → `%24`). For UAA: send them raw, or encoded with "
                "`X-CF-ENCODED-CREDENTIALS: true`, or send them in the POST body "
                "(`client_secret_post`).",
                role=role,
                special=counts,
            )
        )
    return findings


def _basic_findings(out: _Out, credential: str, ctx: CheckContext, encoded: bool) -> list[Finding]:
    if looks_like_jwt(credential):
        return [
            out(
                Severity.FAIL,
                "A JWT sent with the Basic scheme",
                "Basic carries base64 of `id:secret`; this is a token, so the server tries to "
                "read it as a client id and password and fails.",
                "Send it as `Authorization: Bearer <token>`.",
            )
        ]
    try:
        raw = base64.b64decode(credential, validate=True)
    except (binascii.Error, ValueError):
        return [
            out(
                Severity.FAIL,
                "Basic credentials are not valid base64",
                "After `Basic ` the server expects base64 of `id:secret`; this is not base64 "
                "(raw `id:secret`, base64url, or a truncated value?).",
                "Build it with `printf '%s' \"$ID:$SECRET\" | base64 -w0`.",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return [
            out(
                Severity.FAIL,
                "Basic credentials decode to bytes that are not text",
                "The base64 is valid, but what it encodes is not `id:secret` in UTF-8.",
                "Rebuild the value from the client id and secret.",
            )
        ]
    ctx.redactor.add(text)
    if ":" not in text:
        return [
            out(
                Severity.FAIL,
                "Basic credentials have no `:` between client id and secret",
                f"The decoded value is one {len(text)}-character string, not `id:secret`.",
                "Encode `id:secret` with the colon, e.g. `printf '%s' \"$ID:$SECRET\" | base64`.",
            )
        ]
    user, _, secret = text.partition(":")
    ctx.redactor.add_basic(user, secret)
    return _pair_findings(out, user, secret, encoded)


def _pair_findings(out: _Out, user: str, secret: str, encoded: bool) -> list[Finding]:
    findings = []
    if secret.endswith(("\n", "\r")) or user.endswith(("\n", "\r")):
        findings.append(
            out(
                Severity.FAIL,
                "The Basic credentials end with a newline",
                'The decoded credentials end with a line break: the classic `echo "id:secret" | '
                "base64` without `-n` (or a YAML `|` block). The server compares a secret with "
                "a newline at its end.",
                "Rebuild with `echo -n` or `printf '%s'`, e.g. "
                "`printf '%s' \"$ID:$SECRET\" | base64 -w0`.",
            )
        )
        secret = secret.rstrip("\r\n")
    if not user or not secret:
        findings.append(
            out(
                Severity.FAIL,
                f"The {'client id' if not user else 'secret'} is empty",
                "Basic credentials need both parts around the colon.",
                "Encode `id:secret` with both values filled in.",
            )
        )
    findings.extend(_special_findings(out, user, secret, encoded))
    if not any(f.status.is_problem for f in findings):
        findings.append(
            out(
                Severity.OK,
                "Basic credentials are well-formed",
                f"client id `{user}` ({len(user)} chars); secret {fingerprint(secret)} "
                f"({len(secret)} chars).",
                client_id=user,
                secret_fingerprint=fingerprint(secret),
            )
        )
    return findings


@dataclass(frozen=True)
class HeaderCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        return lint(args.text("value") or "", ctx)


def lint(text: str, ctx: CheckContext) -> list[Finding]:
    """Every finding about one pasted header, bare value or curl command."""
    source = locate(text)
    findings = list(source.notes)
    if source.aws_sigv4 is not None:
        if source.basic_user is not None:
            ctx.redactor.add(source.basic_user[1])
            ctx.redactor.add_basic(*source.basic_user)
        findings += _aws_curl_findings(source)
        if not source.value.strip():
            return findings
        source.basic_user = None
    if not source.value.strip() or source.origin == "value":
        key_header = _api_key_header(text)
        if key_header is not None:
            return [*findings, *_api_key_findings(*key_header, ctx)]
    if source.basic_user is not None:
        user, secret = source.basic_user
        ctx.redactor.add_basic(user, secret)
        findings.extend(
            _pair_findings(_Out(secret), user, secret, source.encoded_credentials)
            if secret
            else [_Out("")(Severity.WARN, "`curl -u` without a secret: curl will prompt for it")]
        )
    value = source.value
    if not value.strip():
        if source.origin == "curl" and source.basic_user is not None:
            return findings
        return [
            *findings,
            _Out("")(
                Severity.FAIL,
                "No Authorization header found"
                if source.origin == "curl"
                else "The Authorization value is empty",
                "Without credentials the server answers 401 with a bare challenge.",
                "Add `-H 'Authorization: Bearer <token>'` to the request.",
            ),
        ]
    parts = value.strip().split(None, 1)
    credential = parts[-1].strip(" \t")
    ctx.redactor.add(credential)
    out = _Out(credential)
    findings.extend(_whitespace_findings(out, value, source.origin))
    if len(parts) == 1:
        credential = credential.strip(_QUOTE_CHARS)
        if credential.lower() in {k.lower() for k in KNOWN_SCHEMES}:
            # `Authorization: Bearer` and nothing after it: the scheme is there, the token is not
            # (an empty shell variable, a failed token request). Not a secret, not a bare token.
            return [*findings, _missing_credential(credential)]
        ctx.redactor.add(credential)
        return [*findings, _missing_scheme(_Out(credential), credential)]
    scheme, rest = parts
    if sigv4.is_sigv4(scheme):
        aws, secrets = sigv4.lint(value.strip(), request_headers(text), ctx.clock())
        for secret in secrets:
            ctx.redactor.add(secret)
        return [*findings, *aws]
    if scheme.lower() in apikeys.KEY_SCHEMES:
        return [*findings, *_key_scheme_findings(out, scheme, rest, ctx)]
    canonical, scheme_notes = _scheme_findings(out, scheme)
    findings.extend(scheme_notes)
    words = rest.split()
    if canonical == "Bearer" and len(words) >= 2 and words[0].lower() == "bearer":
        findings.append(
            out(
                Severity.FAIL,
                "`Bearer Bearer …`: the scheme is written twice",
                "The server takes `Bearer` as the scheme and the second `Bearer …` as the token.",
                "Send `Authorization: Bearer <token>` — the variable probably already holds "
                "`Bearer …`.",
            )
        )
        words = words[1:]
    if len(words) > 1:
        findings.append(
            out(
                Severity.FAIL,
                f"The credentials contain whitespace ({len(words)} words after the scheme)",
                "A token or Basic value is a single word; a space or line break inside it means "
                "two values were glued together or a line was wrapped.",
                "Send one scheme and one unbroken credential.",
            )
        )
        return findings
    credential, quote_notes = _strip_quotes(out, words[0] if words else "")
    findings.extend(quote_notes)
    ctx.redactor.add(credential)
    out = _Out(credential)
    if not credential:
        return [*findings, out(Severity.FAIL, "The credentials after the scheme are empty")]
    keyed = _bearer_key_findings(out, credential) if canonical == "Bearer" else None
    if keyed is not None:
        findings.extend(keyed)
        if any(f.status.is_problem for f in findings):
            findings = [_demote(f) for f in findings]
    elif canonical == "Bearer":
        findings.extend(_bearer_findings(out, credential, ctx))
        if any(f.status.is_problem for f in findings):
            findings = [_demote(f) for f in findings]
    elif canonical == "Basic":
        findings.extend(_basic_findings(out, credential, ctx, source.encoded_credentials))
    elif canonical is not None:
        findings.append(
            out(
                Severity.INFO,
                f"Scheme `{canonical}` is not linted further",
                "This bot checks Bearer and Basic credentials in detail.",
            )
        )
    return findings


def _key_scheme_findings(out: _Out, scheme: str, rest: str, ctx: CheckContext) -> list[Finding]:
    """`Authorization: ApiKey …` and friends: one unbroken key after the scheme."""
    words = rest.split()
    if len(words) != 1:
        return [
            out(
                Severity.FAIL,
                f"`{scheme}` must be followed by exactly one key ({len(words)} words found)",
                "A space or line break inside the key means two values were glued together.",
                f"Send `Authorization: {scheme} <key>`.",
            )
        ]
    key, quoted = _strip_quotes(out, words[0])
    ctx.redactor.add(key)
    out = _Out(key)
    what = apikeys.KEY_SCHEMES[scheme.lower()]
    if quoted:
        return quoted
    detail = f"{what}; key {fingerprint(key)} ({len(key)} chars)."
    pair = _basic_pair(key)
    if scheme.lower() == "apikey" and pair is not None:
        ctx.redactor.add_basic(*pair)
        detail += f" It decodes to `id:key` with id `{pair[0]}` (the Elasticsearch form)."
    return [out(Severity.OK, f"API-key scheme `{scheme}` is well-formed", detail)]


def build() -> Command:
    return Command(
        name="header",
        summary="Lint an Authorization header (Bearer, Basic, AWS SigV4, API keys), a whole "
        "header line, a request dump or a curl command",
        params=(
            Param(
                "value",
                "`Bearer …`, `Authorization: …`, or the curl command that failed",
                kind=ParamKind.REST,
                required=True,
                secret=True,
                metavar="value",
            ),
        ),
        checks=(HeaderCheck(),),
        examples=(
            "header Authorization: Bearer eyJhbGciOi…",
            "header curl -H 'Authorization: Basic Y2xpZW50OnNlY3JldA==' https://api.example.com",
        ),
    )
