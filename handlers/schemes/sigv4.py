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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.redact import fingerprint
from handlers.schemes.apikeys import key_id_shown
from handlers.schemes.sigv4_scope import (
    ALGORITHM,
    KEY_ID,
    credential_findings,
    signature_findings,
    signed_header_findings,
)
from handlers.schemes.sigv4_time import time_findings

SIGV4A = "AWS4-ECDSA-P256-SHA256"
_COMPONENTS = ("Credential", "SignedHeaders", "Signature")


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


def builder(signature: str, key_id: str) -> FindingBuilder:
    """Findings of `header` naming the scheme, the key id (prefix and last 4) and the signature's
    fingerprint, never the signature."""
    evidence: dict[str, Any] = {"scheme": "AWS SigV4"}
    if key_id:
        evidence["access_key_id"] = key_id_shown(key_id)
    if signature:
        evidence["signature_fingerprint"] = fingerprint(signature)
    return FindingBuilder("header", evidence)


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
    key_id = scope[0] if scope and KEY_ID.fullmatch(scope[0]) else ""
    out = builder(signature, key_id)
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
    findings += credential_findings(out, credential, parsed.algorithm)
    signed = parsed.components.get("SignedHeaders")
    findings += signed_header_findings(out, signed, headers) if signed is not None else []
    findings += signature_findings(out, signature) if "Signature" in parsed.components else []
    findings += time_findings(out, scope, headers, now)
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
