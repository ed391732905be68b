"""API keys: the headers they travel in, and the well-known key formats.

The generic runbook's first step is "is the key in the right header?". An API key is not an OAuth
token: sending a Google `AIza…` key or an AWS access key id as `Authorization: Bearer` gets a 401
however valid the key is, while Stripe and GitHub do accept their keys as Bearer. The formats
below are public and stable enough to name the vendor; the key itself is a secret and is only ever
shown by fingerprint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Header names (lower case) that carry an API key, and who uses them.
KEY_HEADERS: dict[str, str] = {
    "x-api-key": "the common API-key header (AWS API Gateway usage plans, many SaaS APIs)",
    "api-key": "Azure OpenAI / Azure AI Search",
    "apikey": "an API-key header (Kong, Supabase and others)",
    "x-apikey": "an API-key header",
    "x-goog-api-key": "Google APIs",
    "ocp-apim-subscription-key": "Azure API Management",
    "x-functions-key": "Azure Functions",
}
#: `Authorization` schemes (lower case) that carry an API key rather than an OAuth token.
KEY_SCHEMES: dict[str, str] = {
    "apikey": "ApiKey (Elasticsearch: base64 of `id:api_key`)",
    "api-key": "Api-Key",
    "key": "Key",
    "ssws": "SSWS (Okta API token)",
}


@dataclass(frozen=True)
class KeyKind:
    vendor: str
    what: str
    #: Whether the vendor accepts this key as `Authorization: Bearer <key>`.
    bearer_ok: bool
    how: str


_KINDS: tuple[tuple[re.Pattern[str], KeyKind], ...] = (
    (
        re.compile(r"AIza[0-9A-Za-z_-]{35}"),
        KeyKind(
            "Google",
            "a Google API key",
            False,
            "Google API keys are not OAuth tokens: send them as `X-goog-api-key: <key>` or "
            "`?key=<key>`. A Bearer token for Google is an OAuth access token (`ya29.…`).",
        ),
    ),
    (
        re.compile(r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}"),
        KeyKind(
            "Stripe",
            "a Stripe secret key",
            True,
            "Stripe takes it as `Authorization: Bearer <key>` or as the Basic user name.",
        ),
    ),
    (
        re.compile(r"pk_(?:live|test)_[0-9A-Za-z]{10,}"),
        KeyKind(
            "Stripe",
            "a Stripe publishable key",
            False,
            "Publishable keys only work from Stripe.js and mobile SDKs; server calls to the API "
            "need the secret key (`sk_…`) or a restricted key (`rk_…`).",
        ),
    ),
    (
        re.compile(r"(?:gh[pousr]_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{22,})"),
        KeyKind(
            "GitHub",
            "a GitHub token",
            True,
            "GitHub takes it as `Authorization: Bearer <token>` (or `token <token>`).",
        ),
    ),
    (
        re.compile(r"(?:AKIA|ASIA)[A-Z0-9]{16}"),
        KeyKind(
            "AWS",
            "an AWS access key id",
            False,
            "An access key id alone proves nothing: AWS APIs need a Signature Version 4 "
            "signature made with the secret access key (an AWS SDK or CLI, or `curl --aws-sigv4 "
            "'aws:amz:<region>:<service>' --user '<key id>:<secret>'`).",
        ),
    ),
    (
        re.compile(r"xox[abposr]-[0-9A-Za-z-]{10,}"),
        KeyKind("Slack", "a Slack token", True, "Slack takes it as `Authorization: Bearer`."),
    ),
    (
        re.compile(r"glpat-[0-9A-Za-z_-]{20,}"),
        KeyKind(
            "GitLab",
            "a GitLab personal access token",
            True,
            "GitLab takes it as `Authorization: Bearer` or `PRIVATE-TOKEN: <token>`.",
        ),
    ),
)


def kind_of(value: str) -> KeyKind | None:
    """The vendor's key format this value has, if any."""
    for pattern, kind in _KINDS:
        if pattern.fullmatch(value):
            return kind
    return None


def key_id_shown(value: str) -> str:
    """An AWS access key id is an identifier, not a secret: its type prefix and last 4."""
    if len(value) < 12:
        return "…"
    return f"{value[:4]}…{value[-4:]}"
