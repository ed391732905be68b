"""The shared gateway table (`handlers/gateways/catalog.py`): every entry is recognised from its own
bytes by `identify` (probe/diagnose), by `explain` and by the paste parser — one table, three
readers, so a wording added once is understood everywhere."""

from __future__ import annotations

import json

import pytest

from handlers.gateways import catalog as gateways
from handlers.gateways.answerer import identify
from handlers.gateways.catalog import Says, Signature
from handlers.meanings.catalog import lookup
from handlers.net.send import Answer
from handlers.paste import extract


def _body(sig: Signature) -> bytes:
    """The entry's wording in its product's body shape."""
    if sig.product.startswith("Apigee"):
        data = {"fault": {"faultstring": "…", "detail": {"errorcode": sig.text}}}
        return json.dumps(data).encode()
    if sig.product.startswith("nginx"):
        page = f"<html>\r\n<head><title>{sig.text}</title></head>\r\n<body>\r\n"
        return (page + f"<center><h1>{sig.text}</h1></center>\r\n<hr><center>nginx/1.22.1"
                "</center>\r\n</body>\r\n</html>\r\n").encode()  # fmt: skip
    if sig.product.startswith("Istio"):
        return sig.text.encode()
    if sig.product.startswith("Traefik"):
        return (sig.text + "\n").encode()
    if sig.product.startswith("Azure"):
        return json.dumps({"statusCode": 401, "message": sig.text + ". More words."}).encode()
    if sig.product.startswith("Google"):
        return json.dumps(
            {"code": 16, "message": sig.text + (": more" if sig.match == "prefix" else "")}
        ).encode()
    return json.dumps({"message": sig.text}).encode()


def _headers(sig: Signature) -> dict[str, str]:
    headers = {"content-type": "application/json"}
    for item in sig.needs_header[:1]:
        name, _, value = item.partition(":")
        headers[name] = value or "x"
    if sig.product.startswith("nginx"):
        headers["server"] = "nginx/1.22.1"
    if sig.product.startswith("Traefik"):
        headers["www-authenticate"] = 'Basic realm="traefik"'
    return headers


ENTRIES = list(gateways.SIGNATURES)


@pytest.mark.parametrize("sig", ENTRIES, ids=[s.key for s in ENTRIES])
def test_identify_recognises_every_entry(sig: Signature) -> None:
    answer = Answer("http://x/", sig.status or 401, _headers(sig), _body(sig), 1)
    who = identify(answer)
    assert who.name == sig.product
    assert who.says is sig.says or sig.product.startswith("Istio")
    assert who.wants == sig.wants or sig.product.startswith("Istio")


@pytest.mark.parametrize(
    "sig",
    [s for s in ENTRIES if not s.needs_header],
    ids=[s.key for s in ENTRIES if not s.needs_header],
)
def test_explain_knows_every_wording(sig: Signature) -> None:
    entry = lookup(sig.text if sig.product.startswith(("nginx", "Istio")) else _body(sig).decode())
    assert entry is not None
    assert entry.key == sig.key or (sig.text.lower() in (entry.key, *entry.aliases))


def test_the_paste_parser_knows_the_new_wordings() -> None:
    found = extract('HTTP/1.1 401 Unauthorized\n{"message":"No API key found in request"}')
    assert "No API key found in request" in found.gatekeeper_texts


def test_kong_and_aws_share_unauthorized_and_headers_tell_them_apart() -> None:
    body = b'{"message":"Unauthorized"}'
    aws = identify(Answer("u", 401, {"x-amzn-errortype": "UnauthorizedException"}, body, 1))
    kong = identify(Answer("u", 401, {"server": "kong/3.4.2"}, body, 1))
    neither = identify(Answer("u", 401, {}, body, 1))
    assert aws.name == "AWS API Gateway"
    assert kong.name == "Kong Gateway"
    assert neither.signature is None
    assert aws.says is Says.MISSING_OR_REJECTED


def test_a_bearer_error_refines_a_gateway_verdict() -> None:
    headers = {
        "apigw-requestid": "x",
        "www-authenticate": 'Bearer error="invalid_token", error_description="token expired"',
    }
    who = identify(Answer("u", 401, headers, b'{"message":"Unauthorized"}', 1))
    assert who.name == "AWS API Gateway"
    assert who.says is Says.REJECTED
    assert who.code == "invalid_token"
