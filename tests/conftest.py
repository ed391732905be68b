"""Fixtures shared across the suite; fakes live in tests/fakes/ and are loaded as plugins."""

pytest_plugins = [
    "tests.fakes.slack_api",
    "tests.fakes.socket_mode",  # `fake_socket_mode`: the websocket apps.connections.open gives
    "tests.fakes.oidc",  # `oidc_server`: one real oidc-provider per session
    "tests.fakes.glewlwyd",  # `glewlwyd_server`: one real Glewlwyd per session
    "tests.fakes.gatekeepers",  # `gatekeepers`, `uaa`
    "tests.fakes.nginx",  # `nginx`: one real nginx (TLS, stripped header, auth_request)
    "tests.fakes.leakguard",  # autouse: no test secret in Slack calls, Redis, logs, exceptions
    "tests.report.plugin",  # `report_row`: the README's reliability and security table
]
