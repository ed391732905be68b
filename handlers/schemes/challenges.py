"""Which authentication scheme a server asks for, and which one the caller used.

"Incorrect authentication scheme (e.g., using Bearer token when Basic authentication is
expected)" is in the generic runbook's list of causes. A server says what it wants in
`WWW-Authenticate` (Basic, Bearer, Negotiate, Digest, NTLM — RFC 9110 §11.6.1), and AWS says it in
its error bodies instead: S3 and the query APIs answer XML (`<Error><Code>SignatureDoesNotMatch`),
API Gateway answers JSON plus `x-amzn-ErrorType`. Parsed with plain patterns, never an XML parser,
because the body is untrusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.net.answers import json_object, parse_www_authenticate
from handlers.net.send import Answer

AWS = "AWS SigV4"
_SHOWN = {
    "basic": "Basic",
    "bearer": "Bearer",
    "negotiate": "Negotiate",
    "digest": "Digest",
    "ntlm": "NTLM",
    "dpop": "DPoP",
    "aws4-hmac-sha256": AWS,
    "apikey": "ApiKey",
    "token": "Token",
    "key": "API key",
}
#: Schemes a `--token` value may start with; anything else is sent as a Bearer token.
EXPLICIT = ("basic", "digest", "negotiate", "ntlm", "aws4-hmac-sha256", "apikey", "token", "dpop")

HOW_TO_SEND = {
    "Basic": "Basic wants base64 of `user:password` (`curl -u user:password`), not a token.",
    "Bearer": "Bearer wants an OAuth access token: `Authorization: Bearer <token>`.",
    "Negotiate": "Negotiate is Kerberos/SPNEGO: the client needs a Kerberos ticket (`kinit`, then "
    "`curl --negotiate -u :`); no static header can stand in for it.",
    "NTLM": "NTLM is a Windows challenge-response handshake (`curl --ntlm -u user`).",
    "Digest": "Digest is a challenge-response over the server's nonce (`curl --digest -u "
    "user:password`); a fixed header cannot work.",
    "API key": "The server reads an API key (Kong answers `WWW-Authenticate: Key`): send the "
    "consumer's key in the header or query parameter it reads (Kong: `apikey`), not a Bearer "
    "token.",
    AWS: "AWS APIs want requests signed with Signature Version 4 by an AWS SDK, the AWS CLI or "
    "`curl --aws-sigv4 'aws:amz:<region>:<service>' --user '<key id>:<secret>'`; "
    "`header` lints a SigV4 header.",
}


def scheme_name(word: str) -> str:
    return _SHOWN.get(word.lower(), word[:30])


def used_scheme(value: str | None) -> str | None:
    """The scheme a `--token` value will be sent with, or None when no token is sent."""
    if value is None:
        return None
    text = re.sub(r"(?i)^\s*authorization\s*:\s*", "", value).strip()
    first = text.split(None, 1)[0] if text.split() else ""
    return scheme_name(first) if first.lower() in EXPLICIT else "Bearer"


@dataclass(frozen=True)
class AwsError:
    code: str
    message: str | None
    meaning: str
    remedy: str


_AWS_CODES: dict[str, tuple[str, str]] = {
    "SignatureDoesNotMatch": (
        "the signature AWS computed from the request differs from the one sent: the secret "
        "access key does not belong to the key id, or the request changed after signing "
        "(a signed header added or rewritten by a proxy, path or query encoded differently, a "
        "body not matching x-amz-content-sha256)",
        "Check the secret key pairs with the key id; sign exactly what is sent (let the SDK "
        "sign); `header` lints the Authorization header.",
    ),
    "RequestTimeTooSkewed": (
        "the request time is more than 15 minutes away from AWS's clock",
        "Synchronise the client's clock (NTP) and sign each request when it is sent.",
    ),
    "InvalidAccessKeyId": (
        "AWS does not know this access key id: deleted or deactivated, another partition "
        "(China, GovCloud), or a temporary key sent without its session token",
        "Check the key in IAM (`aws iam list-access-keys`), the partition, and send "
        "X-Amz-Security-Token with `ASIA…` keys.",
    ),
    "InvalidClientTokenId": (
        "AWS does not know this access key id or session token",
        "Check the key in IAM and that temporary credentials come with their session token.",
    ),
    "UnrecognizedClientException": (
        "AWS does not know the key or the session token",
        "Check the key in IAM and that temporary credentials come with their session token.",
    ),
    "MissingAuthenticationToken": (
        "API Gateway found no credentials it accepts — and it gives the same answer for a path "
        "or method that does not exist in the deployed stage",
        "Check the stage, resource path and method first; then sign with SigV4 (IAM "
        "authorization) or send the API key in `x-api-key` as the method requires.",
    ),
    "IncompleteSignature": (
        "the Authorization header is not a complete SigV4 header (a Bearer token sent to an "
        "IAM-authorised API gives this)",
        "Sign the request with SigV4 (SDK, CLI or `curl --aws-sigv4`).",
    ),
    "AuthorizationHeaderMalformed": (
        "the SigV4 header is malformed, often the region in the credential scope is not the "
        "bucket's region (the message names the expected one)",
        "Sign for the region the message names.",
    ),
    "ExpiredToken": (
        "the session token of temporary credentials has expired",
        "Refresh the temporary credentials (re-assume the role, `aws sso login`).",
    ),
    "InvalidToken": (
        "the session token is malformed or invalid",
        "Send the session token that belongs to the temporary key, unmodified.",
    ),
    "AccessDenied": (
        "the caller is authenticated (or anonymous) but IAM, a bucket policy or an SCP does not "
        "allow the action",
        "Check the identity's IAM policy and the resource policy for this action.",
    ),
    "InvalidArgument": (
        "the request is not in a form AWS accepts; for S3 with a Bearer token the message is "
        "'Unsupported Authorization Type'",
        "Sign the request with SigV4 instead of sending a token.",
    ),
}
_XML_CODE = re.compile(r"<Code>\s*([A-Za-z0-9.]{1,80})\s*</Code>")
_XML_MESSAGE = re.compile(r"<Message>([^<]{0,300})</Message>")


def _known(code: str) -> str | None:
    code = code.split(":", 1)[0].split("#")[-1].strip()
    if code in _AWS_CODES:
        return code
    if code.endswith("Exception") and code[: -len("Exception")] in _AWS_CODES:
        return code[: -len("Exception")]
    return None


def aws_error(answer: Answer) -> AwsError | None:
    """The AWS error in an answer: S3/query-API XML, API Gateway JSON or `x-amzn-ErrorType`."""
    text = answer.text(4000)
    code: str | None = None
    message: str | None = None
    if "<Error" in text or "<ErrorResponse" in text:
        found = _XML_CODE.search(text)
        if found:
            code = _known(found.group(1))
            said = _XML_MESSAGE.search(text)
            message = said.group(1).strip() if said else None
    if code is None and answer.header("x-amzn-errortype"):
        code = _known(answer.header("x-amzn-errortype") or "")
    data = json_object(answer.body) or {}
    if code is None and isinstance(data.get("__type"), str):
        code = _known(str(data["__type"]))
    if message is None:
        said = data.get("message") or data.get("Message")
        message = str(said)[:300] if said else None
    if code is None and message and message.strip() == "Missing Authentication Token":
        code = "MissingAuthenticationToken"
    if code is None:
        return None
    meaning, remedy = _AWS_CODES[code]
    return AwsError(code, message, meaning, remedy)


@dataclass(frozen=True)
class Asked:
    scheme: str
    how: str  # "WWW-Authenticate: Basic realm=\"admin\"", "AWS error SignatureDoesNotMatch"


def asked(answer: Answer) -> list[Asked]:
    """Every scheme the answer asks for, in order, without duplicates."""
    out: list[Asked] = []
    for challenge in parse_www_authenticate(answer.header("www-authenticate")):
        realm = challenge.params.get("realm")
        how = f"WWW-Authenticate: {scheme_name(challenge.scheme)}" + (
            f' realm="{realm[:60]}"' if realm else ""
        )
        out.append(Asked(scheme_name(challenge.scheme), how))
    aws = aws_error(answer)
    if aws is not None:
        out.append(Asked(AWS, f"AWS error {aws.code}"))
    seen: set[str] = set()
    unique = []
    for item in out:
        if item.scheme not in seen:
            seen.add(item.scheme)
            unique.append(item)
    return unique
