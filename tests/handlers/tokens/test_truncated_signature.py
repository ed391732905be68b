"""Truncated tokens (issue 15 §6): a signature whose length does not fit its `alg` is flagged by
`decode`, `header` and `probe` alike, through one function (`tokens.signature_length_problem`).

Tokens are signed by PyJWT with real keys of each family, then cut the way a paste cuts them
(whole base64 quads lost at the end, so the segment still decodes)."""

from __future__ import annotations

import shlex
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from handlers.tokens.reading import signature_length_problem
from tests.fakes.gatekeepers import Gatekeepers

_RSA = {
    bits: rsa.generate_private_key(public_exponent=65537, key_size=bits) for bits in (2048, 3072)
}
_EC = {
    "ES256": ec.generate_private_key(ec.SECP256R1()),
    "ES384": ec.generate_private_key(ec.SECP384R1()),
    "ES512": ec.generate_private_key(ec.SECP521R1()),
}
CLAIMS = {"iss": "https://issuer.example/", "sub": "svc", "exp": 4_102_444_800}


def _signed(alg: str, bits: int = 2048) -> str:
    key: Any
    if alg.startswith("HS"):
        key = "k" * 64
    elif alg.startswith(("RS", "PS")):
        key = _RSA[bits]
    else:
        key = _EC[alg]
    return jwt.encode(CLAIMS, key, algorithm=alg)


def _cut(token: str, quads: int = 2) -> str:
    """Drop whole base64 quads from the signature's end: it still decodes, just shorter."""
    head, body, sig = token.split(".")
    return f"{head}.{body}.{sig[: len(sig) - 4 * quads]}"


ALGS = [
    ("HS256", 2048),
    ("HS512", 2048),
    ("RS256", 2048),
    ("RS256", 3072),
    ("PS256", 2048),
    ("ES256", 2048),
    ("ES384", 2048),
    ("ES512", 2048),
]


@pytest.mark.parametrize(("alg", "bits"), ALGS, ids=[f"{a}-{b}" for a, b in ALGS])
def test_whole_signatures_pass_and_cut_ones_are_flagged(alg: str, bits: int) -> None:
    token = _signed(alg, bits)
    assert signature_length_problem(token) is None
    problem = signature_length_problem(_cut(token))
    assert problem is not None
    assert f"`{alg}`" in problem


def test_unknown_alg_and_non_jwts_are_left_alone() -> None:
    assert signature_length_problem("ory_at_abc.def") is None
    assert signature_length_problem("not a token") is None
    unsigned = jwt.encode(CLAIMS, "", algorithm="none")
    assert signature_length_problem(unsigned) is None


async def _run(text: str, secret: str, gatekeepers: Gatekeepers | None = None) -> Report:
    settings = Settings(url_allowlist=["127.0.0.1"], timeout=3, kubeconfig=None)
    ctx = CheckContext(settings=settings)
    if gatekeepers is not None:
        ctx.clock = lambda: gatekeepers.now
    report = await run_invocation(parse(text, default_registry()), ctx)
    assert secret not in str(report.to_dict())
    return report


def _flagged(report: Report) -> bool:
    return any(
        f.status is Severity.FAIL and f.title.startswith("Truncated token: the signature")
        for f in report.findings
    )


async def test_decode_and_header_flag_a_cut_rs256_token() -> None:
    cut = _cut(_signed("RS256"))
    assert _flagged(await _run(f"decode {cut}", cut))
    assert _flagged(await _run(f"header {shlex.quote('Bearer ' + cut)}", cut))
    whole = _signed("RS256")
    assert not _flagged(await _run(f"decode {whole}", whole))


async def test_probe_flags_a_cut_token_first(gatekeepers: Gatekeepers) -> None:
    cut = _cut(_signed("ES256"))
    report = await _run(f"probe {gatekeepers.url('/envoy/jwt')} --token {cut}", cut, gatekeepers)
    assert _flagged(report)
    assert report.findings[0].title.startswith("Truncated token")
