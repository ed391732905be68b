"""How client credentials are put on a token or introspection request (RFC 6749 §2.3.1).

The RFC says: form-URL-encode the client id and the secret, THEN base64 `id:secret`. Servers
disagree in practice: Hydra and oidc-provider URL-decode (a raw `+` in a secret becomes a space),
Cloud Foundry UAA takes the credentials raw unless `X-CF-ENCODED-CREDENTIALS: true` is sent. The
`token` command experiments with these variants to find out which one the server speaks, so each
variant is a named method here.
"""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

#: RFC 6749 §2.3.1: URL-encode, then base64. What Hydra and oidc-provider expect.
BASIC_ENCODED = "basic-encoded"
#: base64 of the raw `id:secret`: what UAA expects without the header below, and `curl -u` sends.
BASIC_RAW = "basic-raw"
#: `client_id` and `client_secret` as form fields (`client_secret_post`).
POST_BODY = "post-body"
#: URL-encoded Basic plus `X-CF-ENCODED-CREDENTIALS: true`, which makes UAA URL-decode them.
BASIC_ENCODED_CF = "basic-encoded+x-cf-encoded"

METHODS = (BASIC_ENCODED, BASIC_RAW, POST_BODY, BASIC_ENCODED_CF)

CF_HEADER = "X-CF-ENCODED-CREDENTIALS"


def form_encode(value: str) -> str:
    """`application/x-www-form-urlencoded` encoding of one value, as §2.3.1 requires."""
    return quote_plus(value, safe="")


def basic_value(client_id: str, client_secret: str, *, encoded: bool = True) -> str:
    """The `Authorization` header value (`Basic ...`) for these credentials."""
    if encoded:
        pair = f"{form_encode(client_id)}:{form_encode(client_secret)}"
    else:
        pair = f"{client_id}:{client_secret}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def apply(method: str, client_id: str, client_secret: str) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form fields that authenticate the client with `method`."""
    if method == BASIC_ENCODED:
        return {"Authorization": basic_value(client_id, client_secret)}, {}
    if method == BASIC_RAW:
        return {"Authorization": basic_value(client_id, client_secret, encoded=False)}, {}
    if method == POST_BODY:
        return {}, {"client_id": client_id, "client_secret": client_secret}
    if method == BASIC_ENCODED_CF:
        return {"Authorization": basic_value(client_id, client_secret), CF_HEADER: "true"}, {}
    raise ValueError(f"unknown client authentication method {method!r}")


def encoding_matters(value: str) -> bool:
    """True when URL-encoding changes the value, so encoded and raw Basic differ on the wire."""
    return form_encode(value) != value


def special_characters(value: str) -> list[str]:
    """The characters of a secret that URL-encoding changes, each once, in order of appearance."""
    seen: list[str] = []
    for char in value:
        if form_encode(char) != char and char not in seen:
            seen.append(char)
    return seen
