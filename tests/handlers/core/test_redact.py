"""Fingerprints instead of secrets: the format people compare, and the safety net that scrubs a
secret from any text or structure in every spelling it is likely to take."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.core.redact import (
    MIN_SCRUB_LENGTH,
    PROTOCOL_WORDS,
    Redactor,
    describe_secret,
    describe_token,
    fingerprint,
    tail,
)

SECRET = "s3cr+t/With=Special%Chars$"
FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{12}$")


def test_fingerprint_is_sha256_prefix_of_twelve_hex_digits() -> None:
    value = fingerprint(SECRET)
    assert FINGERPRINT.match(value)
    assert value == "sha256:" + hashlib.sha256(SECRET.encode()).hexdigest()[:12]


def test_fingerprint_is_stable_and_the_same_for_str_and_bytes() -> None:
    assert fingerprint(SECRET) == fingerprint(SECRET.encode())
    assert fingerprint("a") != fingerprint("a\n")  # a trailing newline is a different secret


def test_tail_keeps_at_most_four_characters_and_nothing_of_values_under_32() -> None:
    long = "a" * 28 + "wxyz"
    assert tail(long) == "…wxyz"
    assert tail(long[1:]) == "…"  # 31 characters: nothing
    assert tail("abcdefghijkl") == "…"
    assert tail("") == "…"
    assert tail(long, keep=2) == "…yz"
    assert tail(long, keep=9) == "…wxyz"  # never more than 4


def test_describe_secret_shows_fingerprint_and_length_never_characters() -> None:
    text = describe_secret(SECRET)
    assert text == f"{fingerprint(SECRET)} ({len(SECRET)} chars)"
    twelve = "Tr0ub4dor&3x"
    assert describe_secret(twelve) == f"{fingerprint(twelve)} (12 chars)"
    assert "&3x" not in describe_secret(twelve)


def test_describe_token_shows_the_tail_only_from_32_characters() -> None:
    token = "t" * 40 + "9QaZ"
    assert describe_token(token) == f"{fingerprint(token)} (44 chars, ends …9QaZ)"
    short = "opaque-token-1234"
    assert describe_token(short) == f"{fingerprint(short)} ({len(short)} chars)"


def test_raw_and_url_encoded_forms_are_scrubbed() -> None:
    r = Redactor([SECRET])
    for form in (SECRET, quote(SECRET, safe=""), quote_plus(SECRET, safe="")):
        out = r.text(f"before {form} after")
        assert form not in out
        assert out == f"before [{fingerprint(form)}] after"


def test_a_secret_with_trailing_newline_is_also_scrubbed_without_it() -> None:
    r = Redactor(["abcdef123456\n"])
    assert r.text("x abcdef123456 y") == f"x [{fingerprint('abcdef123456')}] y"


def test_basic_credentials_are_scrubbed_in_both_encodings() -> None:
    r = Redactor()
    r.add_basic("my-client", SECRET)
    raw = base64.b64encode(f"my-client:{SECRET}".encode()).decode()
    encoded = base64.b64encode(f"my-client:{quote_plus(SECRET)}".encode()).decode()
    out = r.text(f"Authorization: Basic {raw} / Basic {encoded} / {SECRET}")
    assert raw not in out
    assert encoded not in out
    assert SECRET not in out
    assert r.leaks(out) == []


def test_jwt_signature_alone_is_scrubbed() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AbCdEfGhIjKlMnOpQrStUvWx"
    r = Redactor([jwt])
    out = r.text("signature AbCdEfGhIjKlMnOpQrStUvWx was rejected")
    assert "AbCdEfGhIjKlMnOpQrStUvWx" not in out


def test_longest_secret_wins_when_one_contains_another() -> None:
    r = Redactor(["abcdefg8", "abcdefg8ijkl"])
    assert r.text("abcdefg8ijkl") == f"[{fingerprint('abcdefg8ijkl')}]"


def test_values_too_short_to_scrub_safely_are_ignored() -> None:
    short = "x" * (MIN_SCRUB_LENGTH - 1)
    r = Redactor([short, None, ""])  # type: ignore[list-item]
    assert r.secrets == frozenset()
    assert r.text(f"a {short} b") == f"a {short} b"


def test_nested_structures_are_scrubbed_including_keys() -> None:
    r = Redactor([SECRET])
    data = {
        "headers": {"Authorization": f"Bearer {SECRET}"},
        SECRET: [1, None, True, (f"x{SECRET}", {"deep": [SECRET]})],
        "count": 3,
    }
    out = r.scrub(data)
    assert SECRET not in json.dumps(out)
    assert out["count"] == 3
    assert out["headers"]["Authorization"] == f"Bearer [{fingerprint(SECRET)}]"
    assert data["headers"]["Authorization"] == f"Bearer {SECRET}"  # the input is not modified


def test_secret_added_later_is_scrubbed_too() -> None:
    r = Redactor()
    assert r.text(SECRET) == SECRET
    r.add(SECRET)
    assert r.text(SECRET) == f"[{fingerprint(SECRET)}]"


def test_leaks_lists_fingerprints_of_secrets_present() -> None:
    r = Redactor([SECRET, "another-secret"])
    assert r.leaks(f"oops {SECRET}") == [fingerprint(SECRET)]
    assert r.leaks("clean") == []


# Characters of a fingerprint's own replacement text are left out so a secret cannot be a
# substring of the `[sha256:…]` that replaces it.
# Ordinary words ("client", "Secret") are left out: they are scrubbed only where they stand as
# a value (see the tests after this one), so prose around them is never rewritten.
SECRETS = st.text(min_size=MIN_SCRUB_LENGTH, max_size=40).filter(
    lambda s: (
        bool(set(s.strip()) - set("[]sha:0123456789abcdef"))
        and len(s.strip()) >= 6
        and not re.fullmatch(r"[A-Za-z][a-z]{0,11}", s.strip())
        # Words of the protocol itself (`AUTHORIZATION`, `Bearer`) are never secrets: see
        # PROTOCOL_WORDS and the test of it below.
        and s.strip().lower() not in PROTOCOL_WORDS
    )
)


@settings(max_examples=500, deadline=None)
@given(secret=SECRETS, before=st.text(max_size=30), after=st.text(max_size=30))
def test_any_secret_embedded_anywhere_is_scrubbed(secret: str, before: str, after: str) -> None:
    r = Redactor([secret])
    out = r.scrub({"t": before + secret + after, "l": [quote_plus(secret, safe="")]})
    assert secret not in out["t"]
    assert secret.strip() not in out["t"]
    assert quote_plus(secret, safe="") not in out["l"][0]


def test_a_secret_that_is_an_ordinary_word_does_not_rewrite_prose() -> None:
    """Issue 17: a client secret `client` or password `password` must not turn the bot's own
    sentences into `[sha256:…]` soup; where the word stands as a value it is still scrubbed."""
    r = Redactor(["client", "password", "Bearer"])
    prose = "Register the OAuth2 client; the client password is wrong. Write `Bearer <token>`."
    assert r.text(prose) == prose
    echoed = "client_secret=client&password=password, said 'client'"
    out = r.text(echoed)
    assert out == (
        f"client_secret=[{fingerprint('client')}]&password=[{fingerprint('password')}], "
        f"said '[{fingerprint('client')}]'"
    )


def test_protocol_words_are_never_registered_as_secrets() -> None:
    r = Redactor(["Bearer", "basic", " Token "])
    assert r.secrets == frozenset()
