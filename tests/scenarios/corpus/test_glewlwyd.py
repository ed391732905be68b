"""Verdict corpus on a real Glewlwyd: token, password grant and introspection.

Glewlwyd is the server whose answers differ most from our fakes (DOMAIN.md): raw Basic
credentials, an empty 403 for any refused client, `scope_invalid`, empty 400/403 for the password
grant, `audience` ignored. The fixture (tests/fakes/glewlwyd.py) checks each of those facts with
plain HTTP before a case runs; each case below states the ground truth it plays.
"""

from __future__ import annotations

import pytest

from handlers.core.model import Severity
from tests.fakes.glewlwyd import CLIENTS, USER, GlewlwydServer, secrets
from tests.scenarios.corpus.conftest import Case, Judge
from tests.scenarios.corpus.running import Row, ids, run_scanned, settings

PEER = "glewlwyd"
CS_ENV = "AUTHCHECK_CLIENT_SECRET_GLW"
PW_ENV = "AUTHCHECK_PASSWORD_GLW"
PLUS = CLIENTS["glw-plus"].secret
PLAIN = CLIENTS["glw-plain"].secret


def _tok(client: str, extra: str = "--scope read") -> str:
    return (
        f"token {{token_url}} --client-id {client} --client-secret '{CLIENTS[client].secret}' "
        + extra
    )


def _pw(client: str, extra: str = "--scope read") -> str:
    return (
        f"token {{token_url}} --client-id {client} --client-secret-env {CS_ENV} --grant password "
        f"--username {USER[0]} --password-env {PW_ENV} {extra}"
    )


TOKEN_ROWS = [
    Row(
        Case(
            "glw-healthy-client",
            PEER,
            "glw-plain is enabled, its secret is right, `read` is allowed: it gets a token",
            "got a token",
            Severity.OK,
        ),
        _tok("glw-plain"),
    ),
    Row(
        Case(
            "glw-plus-secret-url-encoded",
            PEER,
            "Glewlwyd takes Basic credentials raw; the secret has `+ / =`, so the RFC 6749 "
            "URL-encoded form is refused (empty 403) and the raw form works",
            "does not URL-decode Basic credentials",
        ),
        _tok("glw-plus"),
    ),
    Row(
        Case(
            "glw-wrong-secret",
            PEER,
            "the secret is wrong: every method gets an empty 403",
            "refused by every authentication method",
        ),
        "token {token_url} --client-id glw-plain --client-secret 'NotTheSecret-1234' --scope read",
    ),
    Row(
        Case(
            "glw-unknown-client",
            PEER,
            "no such client: every method gets an empty 403 (indistinguishable from a wrong "
            "secret, so the verdict names both)",
            "refused by every authentication method",
        ),
        "token {token_url} --client-id nobody --client-secret 'NotTheSecret-1234' --scope read",
    ),
    Row(
        Case(
            "glw-disabled-client",
            PEER,
            "glw-off is disabled: an empty 403 for every method",
            "refused by every authentication method",
        ),
        _tok("glw-off"),
    ),
    Row(
        Case(
            "glw-post-only-client",
            PEER,
            "glw-post allows only client_secret_post: Basic gets an empty 403, the POST body works",
            "only authenticates with credentials in the POST body",
        ),
        _tok("glw-post"),
    ),
    Row(
        Case(
            "glw-post-only-via-discovery",
            PEER,
            "the same client, the issuer given: discovery finds the token endpoint, Basic is "
            "refused, the POST body works",
            "only authenticates with credentials in the POST body",
        ),
        "token {issuer} --client-id glw-post --client-secret '"
        + CLIENTS["glw-post"].secret
        + "' --scope read",
    ),
    Row(
        Case(
            "glw-unknown-scope",
            PEER,
            "scope `nosuch` does not exist: 400 `scope_invalid` (Glewlwyd's word for "
            "invalid_scope); without it the client gets a token",
            "scope not allowed",
        ),
        _tok("glw-plain", "--scope nosuch"),
    ),
    Row(
        Case(
            "glw-scope-not-allowed",
            PEER,
            "glw-cc may not have `write` (the scope exists): 400 `scope_invalid`",
            "scope not allowed",
        ),
        _tok("glw-cc", "--scope write"),
    ),
    Row(
        Case(
            "glw-scope-silently-dropped",
            PEER,
            "glw-cc asks `read write`: Glewlwyd grants `read` only, without an error",
            "not granted: write",
            Severity.WARN,
        ),
        _tok("glw-cc", "--scope 'read write'"),
    ),
    Row(
        Case(
            "glw-audience-ignored",
            PEER,
            "Glewlwyd ignores `audience` (RFC 8707 `resource` is its parameter): the token's "
            "`aud` is `read`, not the audience asked for",
            "audience",
            Severity.WARN,
        ),
        _tok("glw-plain", "--scope read --audience https://orders.example"),
    ),
    Row(
        Case(
            "glw-not-a-token-endpoint",
            PEER,
            "the URL is not a token endpoint (404 on Glewlwyd's API)",
            "did not answer like a token endpoint",
            Severity.ERROR,
        ),
        "token {issuer}/no-such-token --client-id glw-plain --client-secret '"
        + PLAIN
        + "' --scope read",
    ),
    Row(
        Case(
            "glw-secret-trailing-newline",
            PEER,
            "the client secret in the bot's environment ends with a newline (`echo` without "
            "`-n`): refused as sent, works trimmed",
            "trailing newline",
        ),
        f"token {{token_url}} --client-id glw-plain --client-secret-env {CS_ENV} --scope read",
        {CS_ENV: PLAIN + "\n"},
    ),
]

TOKEN_ROWS.append(
    Row(
        Case(
            "glw-no-scope-requested",
            PEER,
            "the credentials are right but no scope is requested: Glewlwyd refuses with an empty "
            "403, exactly as for a wrong secret, so only --scope can decide",
            "could not tell why client `glw-plain` is refused",
            Severity.ERROR,
            undecided=True,
        ),
        _tok("glw-plain", ""),
    )
)

PASSWORD_ROWS = [
    Row(
        Case(
            "glw-password-not-a-token-endpoint",
            PEER,
            "the password grant is sent to a URL that is not a token endpoint (404): nothing is "
            "known about the client or the user",
            "did not answer like a token endpoint",
            Severity.ERROR,
        ),
        _pw("glw-plain").replace("{token_url}", "{issuer}/no-such-token"),
        {CS_ENV: PLAIN, PW_ENV: USER[1]},
    ),
    Row(
        Case(
            "glw-password-healthy",
            PEER,
            "jane's password is right and glw-plain may use the password grant",
            "got a token through client",
            Severity.OK,
        ),
        _pw("glw-plain"),
        {CS_ENV: PLAIN, PW_ENV: USER[1]},
    ),
    Row(
        Case(
            "glw-password-client-encoding",
            PEER,
            "the user is fine; the client's `+` secret is refused URL-encoded (empty 400 on the "
            "password grant, empty 403 on client credentials): a client problem, never the "
            "user's password",
            "client authentication fails",
        ),
        _pw("glw-plus"),
        {CS_ENV: PLUS, PW_ENV: USER[1]},
    ),
    Row(
        Case(
            "glw-password-wrong-client-secret",
            PEER,
            "the client secret is wrong: the password grant gets an empty 400, client "
            "credentials an empty 403 for every method: the client, not the user",
            "client authentication fails",
        ),
        _pw("glw-plain"),
        {CS_ENV: "NotTheSecret-1234", PW_ENV: USER[1]},
    ),
    Row(
        Case(
            "glw-password-wrong-user-password",
            PEER,
            "the client authenticates (client credentials work) and the user's password is "
            "wrong: Glewlwyd answers an empty 403 and gives no reason",
            "password grant for `jane` was refused",
        ),
        _pw("glw-plain"),
        {CS_ENV: PLAIN, PW_ENV: "Wrong-pw-000000"},
    ),
]


@pytest.fixture
def values(glewlwyd_server: GlewlwydServer) -> dict[str, str]:
    return {"token_url": glewlwyd_server.token_url, "issuer": glewlwyd_server.issuer}


@pytest.mark.parametrize("row", TOKEN_ROWS + PASSWORD_ROWS, ids=ids(TOKEN_ROWS + PASSWORD_ROWS))
async def test_token_verdicts(
    row: Row,
    values: dict[str, str],
    glewlwyd_server: GlewlwydServer,
    judge: Judge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in row.env.items():
        monkeypatch.setenv(name, value)
    st = settings(issuer=glewlwyd_server.issuer)
    report = await run_scanned(row.command.format(**values), st, [*secrets(), *row.env.values()])
    judge(row.case, report)


INTROSPECT_CASES = [
    Case(
        "glw-introspect-active",
        PEER,
        "a fresh token of glw-plain, introspected by glw-plain at Glewlwyd's endpoint",
        "token is active",
        Severity.OK,
    ),
    Case(
        "glw-introspect-revoked",
        PEER,
        "the token was revoked (RFC 7009) before introspection: {active:false}",
        "token is not active",
    ),
]


@pytest.mark.parametrize("case", INTROSPECT_CASES, ids=[c.name for c in INTROSPECT_CASES])
async def test_introspect_verdicts(
    case: Case, glewlwyd_server: GlewlwydServer, judge: Judge
) -> None:
    token = glewlwyd_server.token("glw-plain")
    if case.name.endswith("revoked"):
        glewlwyd_server.revoke(token)
    text = (
        f"introspect {token} --url {glewlwyd_server.introspection_url} "
        f"--client-id glw-plain --client-secret '{PLAIN}'"
    )
    report = await run_scanned(text, settings(), [*secrets(), token])
    judge(case, report)
