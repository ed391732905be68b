"""The Glewlwyd fixture itself: it starts, and every ground truth the corpus relies on holds."""

from __future__ import annotations

import httpx

from tests.fakes.glewlwyd import GlewlwydServer, _truths


def test_every_ground_truth_was_verified(glewlwyd_server: GlewlwydServer) -> None:
    expected = [sentence for sentence, _ in _truths(glewlwyd_server)]
    assert glewlwyd_server.verified == expected
    assert len(expected) >= 15


def test_discovery_names_its_endpoints_and_jwks(glewlwyd_server: GlewlwydServer) -> None:
    meta = httpx.get(glewlwyd_server.issuer + "/.well-known/openid-configuration").json()
    assert meta["issuer"] == glewlwyd_server.issuer
    assert meta["token_endpoint"] == glewlwyd_server.token_url
    assert meta["introspection_endpoint"] == glewlwyd_server.introspection_url
    keys = httpx.get(glewlwyd_server.jwks_url).json()["keys"]
    assert keys
    assert keys[0]["kty"] == "RSA"
