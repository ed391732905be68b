"""RFC 6749 §2.3.1 Basic encoding variants, checked against what the servers decode."""

from __future__ import annotations

import base64

import pytest

from handlers.oauth import client_auth


def decoded(header: str) -> str:
    assert header.startswith("Basic ")
    return base64.b64decode(header[6:]).decode()


def test_encoded_basic_url_encodes_before_base64() -> None:
    headers, form = client_auth.apply("basic-encoded", "sb-app!t1", "a+b/c=")
    assert decoded(headers["Authorization"]) == "sb-app%21t1:a%2Bb%2Fc%3D"
    assert form == {}


def test_raw_basic_keeps_the_characters() -> None:
    headers, _ = client_auth.apply("basic-raw", "id", "a+b/c=")
    assert decoded(headers["Authorization"]) == "id:a+b/c="


def test_post_body_and_cf_header() -> None:
    headers, form = client_auth.apply("post-body", "id", "a+b")
    assert headers == {}
    assert form == {"client_id": "id", "client_secret": "a+b"}
    headers, _ = client_auth.apply("basic-encoded+x-cf-encoded", "id", "a+b")
    assert headers["X-CF-ENCODED-CREDENTIALS"] == "true"


def test_special_characters_are_listed_once_in_order() -> None:
    assert client_auth.special_characters("x+y/z=+\n") == ["+", "/", "=", "\n"]
    assert not client_auth.encoding_matters("plain-secret_1.2~")


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown client authentication method"):
        client_auth.apply("digest", "a", "b")
