"""API keys in headers: `X-API-Key: …`, `Authorization: ApiKey …`, a vendor key sent as Bearer,
and curl's own SigV4 signing (`--aws-sigv4`).

Which vendor issued a key (`apikeys.kind_of`) decides whether a header is right: Google reads
`X-goog-api-key`, an AWS access key id is never a bearer token. Keys appear only as fingerprints.
"""

from __future__ import annotations

from handlers.core.check import CheckContext
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.schemes import apikeys
from handlers.schemes.basic import basic_pair
from handlers.schemes.header_shape import (
    CHECK,
    credential_builder,
    strip_quotes,
    whitespace_findings,
)
from handlers.schemes.pasted import Pasted


def api_key_findings(name: str, raw: str, ctx: CheckContext) -> list[Finding]:
    """Lints a key sent in its own header (`X-API-Key: …`)."""
    value = raw.strip(" \t")
    ctx.redactor.add(value)
    out = credential_builder(CHECK, value)
    findings = whitespace_findings(out, raw, "line")
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
    value, quoted = strip_quotes(out, value)
    findings += quoted
    ctx.redactor.add(value)
    out = credential_builder(CHECK, value)
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


def bearer_key_findings(out: FindingBuilder, token: str) -> list[Finding] | None:
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


def aws_curl_findings(source: Pasted) -> list[Finding]:
    """`curl --aws-sigv4 'aws:amz:region:service' --user KEY:SECRET`: curl signs by itself."""
    provider = source.aws_sigv4 or ""
    parts = provider.split(":")
    out = credential_builder(CHECK, "")
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


def key_scheme_findings(
    out: FindingBuilder, scheme: str, rest: str, ctx: CheckContext
) -> list[Finding]:
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
    key, quoted = strip_quotes(out, words[0])
    ctx.redactor.add(key)
    out = credential_builder(CHECK, key)
    what = apikeys.KEY_SCHEMES[scheme.lower()]
    if quoted:
        return quoted
    detail = f"{what}; key {fingerprint(key)} ({len(key)} chars)."
    pair = basic_pair(key)
    if scheme.lower() == "apikey" and pair is not None:
        ctx.redactor.add_basic(*pair)
        detail += f" It decodes to `id:key` with id `{pair[0]}` (the Elasticsearch form)."
    return [out(Severity.OK, f"API-key scheme `{scheme}` is well-formed", detail)]
