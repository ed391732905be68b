"""Fixtures shared across the suite; fakes live in tests/fakes/ and are loaded as plugins."""

pytest_plugins = [
    "tests.fakes.slack_api",
    "tests.fakes.oidc",  # `oidc_server`: one real oidc-provider per session
    "tests.fakes.gatekeepers",  # `gatekeepers`, `uaa`
]
