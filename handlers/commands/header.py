"""`header <value>`: lint an Authorization header the way a picky server would read it.

People paste what they have: a bare value (`Bearer abc`), a whole `Authorization: …` line, or the
curl command that failed. We find the header in any of those and look for the mistakes that turn a
good credential into a 401: a misspelt or doubled scheme, quotes, stray whitespace or line breaks,
a truncated JWT, and for Basic the classic encoding traps (`echo` without `-n`, `+` in a secret
that Hydra URL-decodes into a space). Credentials never appear in the output: every credential
found is registered with the redactor and shown only as fingerprint, length and character kinds.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.check import Arguments, CheckContext, Command, Param, ParamKind
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.schemes import apikeys, sigv4
from handlers.schemes.basic import basic_findings, jwt_as_basic, pair_findings
from handlers.schemes.header_shape import (
    CHECK,
    KNOWN_SCHEMES,
    credential_builder,
    missing_credential,
    missing_scheme,
    scheme_findings,
    strip_quotes,
    whitespace_findings,
)
from handlers.schemes.key_findings import (
    api_key_findings,
    aws_curl_findings,
    bearer_key_findings,
    key_scheme_findings,
)
from handlers.schemes.pasted import QUOTE_CHARS, Pasted, api_key_header, locate, request_headers
from handlers.tokens.bearer import bearer_findings
from handlers.tokens.reading import looks_like_jwt


@dataclass(frozen=True)
class HeaderCheck:
    name: str = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        return lint(args.text("value") or "", ctx)


def lint(text: str, ctx: CheckContext) -> list[Finding]:
    """Every finding about one pasted header, bare value or curl command."""
    source = locate(text)
    findings = _source_notes(source)
    if source.aws_sigv4 is not None:
        if source.basic_user is not None:
            ctx.redactor.add(source.basic_user[1])
            ctx.redactor.add_basic(*source.basic_user)
        findings += aws_curl_findings(source)
        if not source.value.strip():
            return findings
        source.basic_user = None
    if not source.value.strip() or source.origin == "value":
        key_header = api_key_header(text)
        if key_header is not None:
            return [*findings, *api_key_findings(*key_header, ctx)]
    if source.basic_user is not None:
        findings.extend(_curl_user_findings(source, source.basic_user, ctx))
    if not source.value.strip():
        if source.origin == "curl" and source.basic_user is not None:
            return findings
        return [*findings, _no_value(source)]
    return [*findings, *_value_findings(text, source, ctx)]


def _source_notes(source: Pasted) -> list[Finding]:
    """What the paste itself says, before the value is read: a curl command sending several
    Authorization headers."""
    if source.authorization_headers <= 1:
        return []
    return [
        Finding(
            CHECK,
            Severity.FAIL,
            f"The curl command sends {source.authorization_headers} Authorization headers",
            "Servers take the first, the last, or reject the request; which one is not defined.",
            "Send exactly one `-H 'Authorization: …'`.",
        )
    ]


def _curl_user_findings(
    source: Pasted, user_secret: tuple[str, str], ctx: CheckContext
) -> list[Finding]:
    """`curl -u id:secret`: the pair curl will encode as Basic credentials."""
    user, secret = user_secret
    ctx.redactor.add_basic(user, secret)
    if not secret:
        return [
            credential_builder(CHECK, "")(
                Severity.WARN, "`curl -u` without a secret: curl will prompt for it"
            )
        ]
    return pair_findings(
        credential_builder(CHECK, secret), user, secret, source.encoded_credentials
    )


def _no_value(source: Pasted) -> Finding:
    return credential_builder(CHECK, "")(
        Severity.FAIL,
        "No Authorization header found"
        if source.origin == "curl"
        else "The Authorization value is empty",
        "Without credentials the server answers 401 with a bare challenge.",
        "Add `-H 'Authorization: Bearer <token>'` to the request.",
    )


def _value_findings(text: str, source: Pasted, ctx: CheckContext) -> list[Finding]:
    """The value itself: whitespace, then the scheme, then the credential after it."""
    value = source.value
    parts = value.strip().split(None, 1)
    credential = parts[-1].strip(" \t")
    ctx.redactor.add(credential)
    out = credential_builder(CHECK, credential)
    findings = whitespace_findings(out, value, source.origin)
    if len(parts) == 1:
        credential = credential.strip(QUOTE_CHARS)
        if credential.lower() in {k.lower() for k in KNOWN_SCHEMES}:
            # `Authorization: Bearer` and nothing after it: the scheme is there, the token is not
            # (an empty shell variable, a failed token request). Not a secret, not a bare token.
            return [*findings, missing_credential(credential)]
        ctx.redactor.add(credential)
        bare = credential_builder(CHECK, credential)
        return [*findings, missing_scheme(bare, credential, looks_like_jwt(credential))]
    scheme, rest = parts
    if sigv4.is_sigv4(scheme):
        aws, secrets = sigv4.lint(value.strip(), request_headers(text), ctx.clock())
        for secret in secrets:
            ctx.redactor.add(secret)
        return [*findings, *aws]
    if scheme.lower() in apikeys.KEY_SCHEMES:
        return [*findings, *key_scheme_findings(out, scheme, rest, ctx)]
    return _scheme_and_credential(out, scheme, rest, findings, source, ctx)


def _scheme_and_credential(
    out: FindingBuilder,
    scheme: str,
    rest: str,
    findings: list[Finding],
    source: Pasted,
    ctx: CheckContext,
) -> list[Finding]:
    """A known (or misspelt) scheme and the one word after it."""
    canonical, scheme_notes = scheme_findings(out, scheme)
    findings = [*findings, *scheme_notes]
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
    credential, quote_notes = strip_quotes(out, words[0] if words else "")
    findings.extend(quote_notes)
    ctx.redactor.add(credential)
    return _credential_findings(canonical, credential, findings, source, ctx)


def _credential_findings(
    canonical: str | None,
    credential: str,
    findings: list[Finding],
    source: Pasted,
    ctx: CheckContext,
) -> list[Finding]:
    """The credential judged by its scheme: a vendor key or a token after Bearer, Basic's pair."""
    out = credential_builder(CHECK, credential)
    if not credential:
        return [*findings, out(Severity.FAIL, "The credentials after the scheme are empty")]
    keyed = bearer_key_findings(out, credential) if canonical == "Bearer" else None
    if keyed is not None or canonical == "Bearer":
        findings = [
            *findings,
            *(keyed if keyed is not None else bearer_findings(out, credential, ctx)),
        ]
        if any(f.status.is_problem for f in findings):
            findings = [_demote(f) for f in findings]
    elif canonical == "Basic":
        if looks_like_jwt(credential):
            findings.append(jwt_as_basic(out))
        else:
            findings.extend(basic_findings(out, credential, ctx, source.encoded_credentials))
    elif canonical is not None:
        findings.append(
            out(
                Severity.INFO,
                f"Scheme `{canonical}` is not linted further",
                "This bot checks Bearer and Basic credentials in detail.",
            )
        )
    return findings


def _demote(finding: Finding) -> Finding:
    """With a problem elsewhere in the header, "well-formed" is only true of the token."""
    if finding.status is not Severity.OK:
        return finding
    title = finding.title.replace("Header is well-formed", "The token itself looks fine")
    return Finding(CHECK, Severity.INFO, title, finding.detail, finding.remedy, finding.evidence)


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
