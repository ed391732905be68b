"""Verifies a JWT's signature against keys a trusted source names, and says why it fails.

"Jwt verification fails" alone sends people in circles; with the keys in hand the cause is
nameable: the JWKS has no key with the token's `kid`, the `alg` does not fit the key (an HS256
token against an RSA key), the signature verifies with another key of the set than the one its
`kid` names, or with none at all (the token was altered, or re-signed by someone else).

Trusted sources only: the APIRule's `jwksUri`/`jwks_urls` (read from the cluster) and the
`jwks_uri` of the configured AUTHCHECK_ISSUER's discovery document. Keys are never fetched from a
URL the token itself names (`jku`, `x5u`, or an `iss` nobody configured): an attacker who mints
the token would choose them. The JWKS is fetched through the bot's guarded HTTP client
(`transport.send`), then handed to PyJWT (`PyJWK`), which does the cryptography.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handlers.core.check import CheckContext
from handlers.core.observation import Observation, Seen, Unknown
from handlers.net.send import send

if TYPE_CHECKING:
    from jwt import PyJWK

VERIFIED = "verified"
NO_KID = "no_kid"
WRONG_ALG = "wrong_alg"
WRONG_KEY = "wrong_key"
ALTERED = "altered"

_FAMILY = {"HS": "oct", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of verifying one token against one trusted JWKS."""

    outcome: str
    reason: str
    source: str
    kid: str | None = None

    @property
    def verified(self) -> bool:
        return self.outcome == VERIFIED


def _keys(jwks: dict[str, Any]) -> list[tuple[dict[str, Any], PyJWK]]:
    import jwt  # lazy: `help` and other commands start without PyJWT

    usable: list[tuple[dict[str, Any], PyJWK]] = []
    for data in jwks.get("keys") or []:
        if not isinstance(data, dict):
            continue
        try:
            usable.append((data, jwt.PyJWK(data)))
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            continue
    return usable


def _verifies(token: str, key: PyJWK, alg: str) -> bool:
    import jwt  # lazy: `help` and other commands start without PyJWT

    try:
        jwt.decode(
            token,
            key.key,
            algorithms=[alg],
            options={
                "verify_signature": True,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.InvalidSignatureError:
        return False
    except jwt.PyJWTError:
        return False
    return True


def verify(token: str, jwks: dict[str, Any], source: str) -> SignatureCheck | None:
    """The verdict on `token`'s signature with the keys of `jwks`, or None when it cannot be
    judged (not a JWT, `alg: none`, a JWKS without usable keys)."""
    import jwt  # lazy: `help` and other commands start without PyJWT

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    alg = header.get("alg")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    if not isinstance(alg, str) or alg.lower() == "none":
        return None
    keys = _keys(jwks)
    if not keys:
        return None
    named = [(d, k) for d, k in keys if kid is not None and d.get("kid") == kid]
    if kid is not None and not named:
        shown = ", ".join(f"`{d.get('kid')}`" for d, _ in keys if d.get("kid")) or "none"
        return SignatureCheck(
            NO_KID,
            f"the JWKS at {source} has no key with `kid` `{kid}` (it has {shown})",
            source,
            kid,
        )
    candidates = named or keys
    family = _FAMILY.get(alg[:2])
    fitting = [
        (d, k)
        for d, k in candidates
        if (family is None or d.get("kty") == family) and d.get("alg") in (None, alg)
    ]
    if not fitting:
        d = candidates[0][0]
        key_alg = d.get("alg") or d.get("kty")
        return SignatureCheck(
            WRONG_ALG,
            f"the token says `alg` `{alg}`, but the key{' `' + kid + '`' if kid else ''} at "
            f"{source} is for `{key_alg}`: a token signed with another algorithm (or an "
            "`alg` switched by hand) never verifies",
            source,
            kid,
        )
    return _tried(token, alg, kid, source, (keys, fitting), family)


def _tried(
    token: str,
    alg: str,
    kid: str | None,
    source: str,
    keys_fitting: tuple[list[tuple[dict[str, Any], PyJWK]], list[tuple[dict[str, Any], PyJWK]]],
    family: str | None,
) -> SignatureCheck:
    """The fitting keys tried: verified, verified only by another key (a wrong `kid`), or not at
    all (altered)."""
    keys, fitting = keys_fitting
    if any(_verifies(token, k, alg) for _, k in fitting):
        return SignatureCheck(
            VERIFIED, f"the signature verifies with the key at {source}", source, kid
        )
    others = [(d, k) for d, k in keys if (d, k) not in fitting and d.get("kty") == family]
    match = next((d for d, k in others if _verifies(token, k, alg)), None)
    if match is not None:
        return SignatureCheck(
            WRONG_KEY,
            f"the signature verifies with key `{match.get('kid')}`, not with the key its `kid` "
            f"`{kid}` names: the issuer puts the wrong `kid` in its tokens",
            source,
            kid,
        )
    return SignatureCheck(
        ALTERED,
        f"the signature does not verify with key `{kid or 'any'}` at {source}: the token was "
        "altered or cut after signing, or another issuer signed it with a key of the same `kid`",
        source,
        kid,
    )


async def fetch_jwks(ctx: CheckContext, url: str) -> Observation[dict[str, Any]]:
    """The JWKS at a trusted URL through the guarded client, or why it could not be read."""
    seen = await send(ctx, "GET", url, headers={"Accept": "application/json"})
    if isinstance(seen, Unknown):
        return seen
    answer = seen.value
    if answer.status != 200:
        return Unknown(f"{url} answered HTTP {answer.status}", "the JWKS URL the rule names")
    try:
        data = json.loads(answer.body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        return Unknown(f"{url} did not return a JWKS (JSON with `keys`)", "the right JWKS URL")
    return Seen(data)


async def check(ctx: CheckContext, token: str, urls: list[str]) -> SignatureCheck | Unknown | None:
    """Verifies against the first trusted JWKS URL that can be read; `Unknown` says why none
    could; None when there is nothing to judge."""
    problems: list[str] = []
    for url in urls:
        jwks = await fetch_jwks(ctx, url)
        if isinstance(jwks, Unknown):
            problems.append(jwks.reason)
            continue
        outcome = verify(token, jwks.value, url)
        if outcome is not None and (outcome.outcome != NO_KID or url == urls[-1]):
            return outcome
    return Unknown("; ".join(problems)) if problems else None
