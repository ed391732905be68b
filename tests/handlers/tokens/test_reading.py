"""Reading tokens offline: shape errors say exactly what is broken, never what the token is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.tokens.reading import (
    DecodedJwt,
    JwtShapeError,
    decode_unverified,
    looks_like_jwt,
    opaque_kind,
    strip_scheme,
    token_kind,
)
from tests.fakes.jwts import b64url, crafted, make_jwt, signature_of

GOOD = make_jwt({"sub": "alice", "exp": 1795602700, "scope": "read write", "aud": "api"})
HEADER = b64url({"alg": "HS256", "typ": "JWT"})
PAYLOAD = b64url({"sub": "alice"})


@pytest.mark.parametrize(
    "pasted",
    [
        GOOD,
        f"  {GOOD}\n",
        f"Bearer {GOOD}",
        f"bearer   {GOOD}",
        f"BEARER {GOOD}",
        f"Authorization: Bearer {GOOD}",
        f"authorization:Bearer {GOOD}",
        f'"{GOOD}"',
        f"'{GOOD}'",
        f'Bearer "{GOOD}"',
        f'"Bearer {GOOD}"',
        f"Bearer Bearer {GOOD}",
    ],
)
def test_strip_scheme(pasted: str) -> None:
    assert strip_scheme(pasted) == GOOD


def test_strip_scheme_keeps_a_token_that_merely_starts_with_bearer() -> None:
    assert strip_scheme("bearerish-token") == "bearerish-token"


def test_decode_good_token() -> None:
    decoded = decode_unverified(GOOD)
    assert decoded.header == {"alg": "HS256", "typ": "JWT"}
    assert decoded.claims["sub"] == "alice"
    assert decoded.signature is True
    assert decoded.time("exp") == datetime(2026, 11, 25, 10, 31, 40, tzinfo=UTC)
    assert decoded.time("nbf") is None
    assert decoded.scopes == ["read", "write"]
    assert decoded.audiences == ["api"]
    assert looks_like_jwt(GOOD)


@pytest.mark.parametrize(
    ("claims", "scopes", "audiences"),
    [
        ({"scp": ["a", "b"], "aud": ["x", "y"]}, ["a", "b"], ["x", "y"]),
        ({"scope": ["uaa.resource", "xs.read"]}, ["uaa.resource", "xs.read"], []),
        ({"scp": "User.Read Mail.Send"}, ["User.Read", "Mail.Send"], []),
        ({"scopes": ["s1"], "aud": 42}, ["s1"], []),
        ({}, [], []),
    ],
)
def test_scopes_and_audiences_in_every_spelling(
    claims: dict[str, object], scopes: list[str], audiences: list[str]
) -> None:
    decoded = DecodedJwt(header={"alg": "HS256"}, claims=claims, signature=True)
    assert decoded.scopes == scopes
    assert decoded.audiences == audiences


@pytest.mark.parametrize(
    ("token", "count"),
    [
        ("abc", 1),
        (f"{HEADER}.{PAYLOAD}", 2),
        (f"{HEADER}.{PAYLOAD}.sig.more", 4),
        ("a.b.c.d.e.f", 6),
    ],
)
def test_segment_count_is_named(token: str, count: int) -> None:
    with pytest.raises(JwtShapeError) as err:
        decode_unverified(token)
    assert err.value.kind == "segments"
    assert err.value.segments == count
    assert f"has {count} dot-separated" in err.value.reason


def test_five_segments_with_enc_header_is_jwe() -> None:
    jwe = ".".join([b64url({"alg": "RSA-OAEP", "enc": "A256GCM"}), "a", "b", "c", "d"])
    with pytest.raises(JwtShapeError) as err:
        decode_unverified(jwe)
    assert err.value.kind == "jwe"
    assert "JWE" in err.value.reason


def test_empty_token() -> None:
    with pytest.raises(JwtShapeError) as err:
        decode_unverified("   ")
    assert err.value.kind == "empty"


@pytest.mark.parametrize(
    ("token", "part", "needle"),
    [
        (f"{HEADER}.{PAYLOAD[:-1]}+.sig", "payload", "`+`"),
        (f"{HEADER[:5]}*{HEADER[6:]}.{PAYLOAD}.sig", "header", "`*`"),
        (f"{HEADER}.{PAYLOAD}.si/g", "signature", "standard base64"),
        (f"{HEADER}.{b64url({'sub': 'alice', 'x': 1})[:-3]}.sig", "payload", None),
        (f"{HEADER}.abcde.sig", "payload", "impossible"),
    ],
)
def test_broken_base64url_names_the_segment(token: str, part: str, needle: str | None) -> None:
    with pytest.raises(JwtShapeError) as err:
        decode_unverified(token)
    assert err.value.part == part
    assert part in err.value.reason
    if needle:
        assert needle in err.value.reason


@pytest.mark.parametrize(
    ("token", "kind", "part"),
    [
        (crafted({"alg": "HS256"}, b"not json at all"), "json", "payload"),
        (crafted([1, 2], {"sub": "x"}), "object", "header"),
        (crafted({"alg": "HS256"}, b'"a string"'), "object", "payload"),
        (crafted(b"\xff\xfe\x00garbage", {"sub": "x"}), "utf8", "header"),
        (f".{PAYLOAD}.sig", "base64", "header"),
    ],
)
def test_non_json_parts(token: str, kind: str, part: str) -> None:
    with pytest.raises(JwtShapeError) as err:
        decode_unverified(token)
    assert (err.value.kind, err.value.part) == (kind, part)
    assert "\n" not in err.value.reason


def test_reasons_never_contain_the_token_or_its_parts() -> None:
    broken = [f"{GOOD}.extra", GOOD[:-40] + "+" + GOOD[-39:], GOOD.replace(".", ".!", 1)]
    for token in broken:
        with pytest.raises(JwtShapeError) as err:
            decode_unverified(token)
        for piece in [token, *token.split(".")]:
            if len(piece) >= 8:
                assert piece not in err.value.reason
                assert piece not in str(err.value)


def test_looks_like_jwt() -> None:
    assert looks_like_jwt(GOOD)
    assert not looks_like_jwt("ory_at_abc.def")
    assert not looks_like_jwt(crafted({"typ": "JWT"}, {"sub": "x"}))  # no alg
    assert not looks_like_jwt(f"{HEADER}.{PAYLOAD}")


@pytest.mark.parametrize(
    ("header", "claims", "kind"),
    [
        ({"typ": "at+jwt"}, {}, "access"),
        ({"typ": "application/at+jwt"}, {"nonce": "n"}, "access"),
        ({"typ": "JWT"}, {"token_use": "access_token"}, "access"),
        ({"typ": "JWT"}, {"token_use": "refresh_token"}, "refresh"),
        ({}, {"token_use": "access"}, "access"),
        ({}, {"token_use": "id"}, "id"),
        ({"typ": "JWT"}, {"typ": "Refresh"}, "refresh"),
        ({"typ": "JWT"}, {"typ": "Offline"}, "refresh"),
        ({"typ": "JWT"}, {"typ": "Bearer"}, "access"),
        ({"typ": "JWT"}, {"typ": "ID"}, "id"),
        ({"typ": "JWT"}, {"nonce": "abc", "sub": "u"}, "id"),
        ({"typ": "JWT"}, {"at_hash": "abc", "sub": "u"}, "id"),
        ({"typ": "JWT"}, {"scope": "read", "nonce": "abc"}, "access"),
        ({"typ": "JWT"}, {"scp": ["read"]}, "access"),
        ({"typ": "JWT"}, {"sub": "u"}, "unknown"),
    ],
)
def test_token_kind(header: dict[str, object], claims: dict[str, object], kind: str) -> None:
    decoded = DecodedJwt(header={"alg": "RS256", **header}, claims=claims, signature=True)
    assert token_kind(decoded) == kind


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        ("ory_at_Zm9vYmFyYmF6.c2lnbmF0dXJl", "access"),
        ("ory_rt_Zm9vYmFyYmF6.c2lnbmF0dXJl", "refresh"),
        ("ory_ac_Zm9vYmFyYmF6.c2lnbmF0dXJl", "code"),
        ("Zm9vYmFyYmF6.c2lnbmF0dXJl", "unknown"),
        ("2YotnFZFEjr1zCsicMWpAA", "unknown"),
    ],
)
def test_opaque_tokens_are_recognised(token: str, kind: str) -> None:
    found = opaque_kind(token)
    assert found is not None
    assert found[1] == kind


def test_jwt_shaped_things_are_not_opaque() -> None:
    assert opaque_kind(GOOD) is None
    assert opaque_kind(f"{HEADER}.{PAYLOAD}") is None  # a truncated JWT, not an opaque token
    assert opaque_kind("two words") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=300))
def test_garbage_only_ever_raises_jwt_shape_error(text: str) -> None:
    try:
        decoded = decode_unverified(text)
    except JwtShapeError as exc:
        reason = exc.reason
    else:
        assert token_kind(decoded) in ("access", "refresh", "id", "unknown")
        return
    assert reason
    assert "\n" not in reason


_B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet=_B64_ALPHABET, max_size=60), min_size=1, max_size=6),
    st.binary(min_size=6, max_size=12),
)
def test_jwt_like_garbage_never_leaks(segments: list[str], secret: bytes) -> None:
    marker = "Mk" + secret.hex()
    token = ".".join([*segments[:-1], segments[-1] + marker])
    try:
        shown = repr(decode_unverified(token))
    except JwtShapeError as exc:
        shown = f"{exc.reason} {exc}"
    assert marker not in shown


def test_signature_never_in_decoded() -> None:
    assert signature_of(GOOD) not in repr(decode_unverified(GOOD))
