"""Fixtures shared across the suite; fakes live in tests/fakes/ and are loaded as plugins."""

pytest_plugins = [
    "tests.fakes.slack_api",
    "tests.fakes.oidc",  # `oidc_server`: one real oidc-provider per session
    "tests.fakes.gatekeepers",  # `gatekeepers`, `uaa`
    "tests.fakes.leakguard",  # autouse: no test secret in Slack calls, Redis, logs, exceptions
    "tests.report.plugin",  # `report_row`: the README's reliability and security table
]
