"""The parts of a SigV4 `Authorization` value judged on their own: the credential scope, the
signed-header list and the signature's spelling.

Each is a pure judge over one component, so a malformed key id, a region that is not a region or
an unsorted SignedHeaders list is named precisely instead of as AWS's one-word error. The key id
is shown as type prefix and last 4 (by the caller's builder), the signature never.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity

ALGORITHM = "AWS4-HMAC-SHA256"
KEY_ID = re.compile(r"[A-Z0-9]{16,128}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9-]*")
_HEADER_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")


def credential_findings(out: FindingBuilder, credential: str, algorithm: str) -> list[Finding]:
    if not credential:
        return []
    parts = credential.split("/")
    if len(parts) != 5:
        return [
            out(
                Severity.FAIL,
                f"The credential scope has {len(parts)} parts, not 5",
                "Credential is `<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request`.",
                "Let the SDK build it; a `/` inside a value or a missing part breaks it.",
            )
        ]
    key_id, date, region, service, terminator = parts
    findings = _key_and_date_findings(out, key_id, date)
    if algorithm == ALGORITHM and not _REGION.fullmatch(region):
        findings.append(
            out(
                Severity.FAIL,
                f"The credential scope region `{region[:40]}` is not a region code",
                "Regions are written like `eu-central-1` or `us-gov-west-1`, lower case.",
                "Sign for the region the endpoint is in (S3 answers AuthorizationHeaderMalformed "
                "naming the region it expected).",
            )
        )
    if not _SERVICE.fullmatch(service):
        findings.append(
            out(
                Severity.FAIL,
                f"The credential scope service `{service[:40]}` is not a service code",
                "Services are lower-case signing names such as `s3`, `execute-api`, `sts`.",
                "Sign with the service's signing name.",
            )
        )
    if terminator != "aws4_request":
        findings.append(
            out(
                Severity.FAIL,
                "The credential scope does not end with `aws4_request`",
                f"It ends with `{terminator[:40]}`.",
                "The last part of the scope is always the literal `aws4_request`.",
            )
        )
    return findings


def _key_and_date_findings(out: FindingBuilder, key_id: str, date: str) -> list[Finding]:
    """The first two parts of the scope: an access key id, then the request's UTC date."""
    findings = []
    if not KEY_ID.fullmatch(key_id):
        findings.append(
            out(
                Severity.FAIL,
                "The access key id is malformed",
                f"{len(key_id)} characters; access key ids are upper-case letters and digits "
                "(20 characters, `AKIA…` long-term, `ASIA…` temporary).",
                "Check which value ended up in the key id (a secret key has lower case and `/`).",
            )
        )
    try:
        datetime.strptime(date, "%Y%m%d")
    except ValueError:
        findings.append(
            out(
                Severity.FAIL,
                "The credential scope date is not YYYYMMDD",
                f"Got {len(date)} characters where a date like 20240101 belongs.",
                "Use the UTC date of the request, the first 8 characters of X-Amz-Date.",
            )
        )
    return findings


def signed_header_findings(
    out: FindingBuilder, signed: str, headers: Mapping[str, str] | None
) -> list[Finding]:
    names = signed.split(";")
    findings = []
    bad = [n for n in names if not _HEADER_NAME.fullmatch(n)]
    if bad or names != sorted(names) or len(set(names)) != len(names):
        findings.append(
            out(
                Severity.FAIL,
                "SignedHeaders is not a sorted, lower-case, `;`-separated list",
                f"{len(names)} names; AWS rebuilds the list the canonical way and the signature "
                "no longer matches.",
                "Lower-case, sort and de-duplicate the header names, separated by `;`.",
            )
        )
    lowered = {n.lower() for n in names}
    if "host" not in lowered and ":authority" not in lowered:
        findings.append(
            out(
                Severity.FAIL,
                "`host` is missing from SignedHeaders",
                "SigV4 requires the Host header to be signed; AWS refuses the signature.",
                "Sign `host` (the SDKs always do; a hand-built signer or a proxy that rewrites "
                "Host is the usual culprit).",
                signed_headers=names,
            )
        )
    if headers is not None:
        if "x-amz-date" in headers and "x-amz-date" not in lowered:
            findings.append(
                out(
                    Severity.FAIL,
                    "X-Amz-Date is sent but not signed",
                    "When a request carries X-Amz-Date, it must be in SignedHeaders.",
                    "Add `x-amz-date` to the signed headers.",
                )
            )
        absent = [n for n in names if n not in headers and n not in ("host", ":authority")]
        if absent:
            findings.append(
                out(
                    Severity.WARN,
                    f"Signed header(s) not in the pasted request: {', '.join(absent[:5])}",
                    "AWS recomputes the signature from the headers it receives; a signed header "
                    "that does not arrive (or arrives changed) means SignatureDoesNotMatch.",
                    "Send every signed header exactly as signed (a proxy may drop or rewrite it).",
                )
            )
    return findings


def signature_findings(out: FindingBuilder, signature: str) -> list[Finding]:
    if re.fullmatch(r"[0-9a-f]{64}", signature):
        return []
    if re.fullmatch(r"[0-9a-fA-F]{64}", signature):
        detail = "It is written in upper case; AWS compares lower-case hex."
    elif re.fullmatch(r"[0-9a-fA-F]*", signature):
        detail = f"It has {len(signature)} hex digits, not 64: truncated or padded."
    else:
        detail = f"It has {len(signature)} characters and not only hex digits (base64?)."
    return [
        out(
            Severity.FAIL,
            "The signature is not 64 lower-case hex digits",
            detail,
            "The signature is the hex HMAC-SHA256 of the string to sign, lower case.",
        )
    ]
