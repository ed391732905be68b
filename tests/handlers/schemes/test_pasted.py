"""`schemes.pasted`: the Authorization header found in a bare value, a header line, a request
dump or a curl command, parsed without judging (the judges are tested through `header`)."""

from __future__ import annotations

from handlers.schemes.pasted import api_key_header, locate, request_headers


def test_a_bare_value_a_header_line_and_a_dump() -> None:
    assert (locate("Bearer abc").value, locate("Bearer abc").origin) == ("Bearer abc", "value")
    line = locate("Authorization: Bearer abc")
    assert (line.value, line.origin) == (" Bearer abc", "line")
    dump = locate("GET /x HTTP/1.1\nHost: a\nAuthorization: Basic Zm9v\n")
    assert (dump.value, dump.origin) == (" Basic Zm9v", "line")


def test_curl_counts_authorization_headers_and_keeps_the_last() -> None:
    found = locate("curl -H 'Authorization: Bearer one' -H 'Authorization: Bearer two' https://x")
    assert found.origin == "curl"
    assert found.authorization_headers == 2
    assert found.value.strip() == "Bearer two"


def test_curl_user_sigv4_and_encoded_credentials() -> None:
    found = locate(
        "curl --aws-sigv4 aws:amz:eu-central-1:s3 -u AKID:secret "
        "-H 'X-CF-ENCODED-CREDENTIALS: true' https://x"
    )
    assert found.aws_sigv4 == "aws:amz:eu-central-1:s3"
    assert found.basic_user == ("AKID", "secret")
    assert found.encoded_credentials is True
    assert found.authorization_headers == 0


def test_request_headers_only_for_a_request() -> None:
    assert request_headers("Bearer abc") is None
    assert request_headers("curl -H 'X-Amz-Date: 20300101T000000Z' https://x") == {
        "x-amz-date": "20300101T000000Z"
    }


def test_an_api_key_header_is_found_in_curl_and_in_a_line() -> None:
    assert api_key_header("curl -H 'X-API-Key: k123' https://x") == ("X-API-Key", "k123")
    assert api_key_header("x_api_key: k123") == ("x_api_key", "k123")
    assert api_key_header("Authorization: Bearer abc") is None
