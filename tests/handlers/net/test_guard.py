"""User-typed URLs: loopback, link-local and metadata are refused unless allowlisted."""

from __future__ import annotations

import pytest

from handlers.net import guard as targets


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://127.0.0.1:8080/x", "loopback"),
        ("http://localhost/x", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://metadata.google.internal/", "metadata"),
    ],
)
async def test_refused_by_default(url: str, fragment: str) -> None:
    reason = await targets.refusal(url, [])
    assert reason is not None
    assert fragment in reason


async def test_allowlist_by_host_and_cidr() -> None:
    assert await targets.refusal("http://127.0.0.1:1/", ["127.0.0.1"]) is None
    assert await targets.refusal("http://127.0.0.5:1/", ["127.0.0.0/8"]) is None
    assert await targets.refusal("http://localhost:1/", ["localhost"]) is None
    assert await targets.refusal("http://169.254.169.254/", ["10.0.0.0/8"]) is not None


async def test_private_cluster_addresses_are_allowed() -> None:
    assert await targets.refusal("http://10.1.2.3:4445/admin", []) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://x/", "it must start with http:// or https://"),
        ("https:///path", "it has no host"),
        ("http://host:99999/", "its port is not a number between 0 and 65535"),
        ("https://ok.example/x", None),
    ],
)
def test_url_problem(url: str, problem: str | None) -> None:
    assert targets.url_problem(url) == problem
