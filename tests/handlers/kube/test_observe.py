"""`kube.observe`: a read's outcome as `Seen` or `KubeUnknown`, keeping the kind of failure."""

from __future__ import annotations

import pytest

from handlers import kube
from handlers.core.observation import Seen


async def _value() -> dict[str, str]:
    return {"CLIENT_ID": "orders"}


async def _raise(exc: Exception) -> dict[str, str]:
    raise exc


async def test_a_read_that_worked_is_seen() -> None:
    assert await kube.observe(_value()) == Seen({"CLIENT_ID": "orders"})


async def test_a_forbidden_read_says_which_rule_would_decide() -> None:
    forbidden = kube.KubeForbidden(
        "403 Forbidden", verb="get", resource="secrets", group="", namespace="apps"
    )
    seen = await kube.observe(_raise(forbidden))
    assert isinstance(seen, kube.KubeUnknown)
    assert seen.error is forbidden
    assert 'resources: ["secrets"], verbs: ["get"]' in seen.decides
    assert seen.reason == "403 Forbidden"


async def test_not_configured_says_how_to_configure() -> None:
    seen = await kube.observe(_raise(kube.KubeNotConfigured("no kubeconfig")))
    assert isinstance(seen, kube.KubeUnknown)
    assert seen.decides == kube.HOW_TO_CONFIGURE


async def test_other_exceptions_are_not_swallowed() -> None:
    with pytest.raises(ValueError, match="a bug"):
        await kube.observe(_raise(ValueError("a bug")))
