"""Verdict corpus on the real oidc-provider (node, tests/servers/oidc): token and introspection.

oidc-provider URL-decodes Basic credentials like Hydra, answers a bad client 401
`invalid_client`, a badly encoded header 400 `invalid_request`, takes RFC 8707 `resource` (not
`audience`), and does not introspect JWT access tokens (`{"active":false}` for them). Its clients
and secrets are fixed in server.mjs (mirrored in tests/fakes/oidc.py); each case states the
ground truth it plays.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from handlers.core.model import Severity
from tests.fakes.glewlwyd import basic
from tests.fakes.oidc import CLIENTS, JWT_RESOURCE, OidcServer
from tests.scenarios.corpus.conftest import Case, Judge
from tests.scenarios.corpus.running import Row, ids, run_scanned, settings

PEER = "oidc-provider"
CS_ENV = "AUTHCHECK_CLIENT_SECRET_OIDC"
SECRETS = [secret for secret, _ in CLIENTS.values()]


def _tok(client: str, extra: str = "--scope read", secret: str | None = None) -> str:
    value = CLIENTS[client][0] if secret is None else secret
    return f"token {{token_url}} --client-id {client} --client-secret '{value}' {extra}"


ROWS = [
    Row(
        Case(
            "oidc-healthy-plus-secret",
            PEER,
            "svc-plus's secret has `+ / =` and is right; URL-encoded Basic works",
            "got a token",
            Severity.OK,
        ),
        _tok("svc-plus"),
    ),
    Row(
        Case(
            "oidc-healthy-via-discovery",
            PEER,
            "the issuer is given; discovery names the token endpoint; svc-plus gets a token",
            "got a token",
            Severity.OK,
        ),
        _tok("svc-plus").replace("{token_url}", "{issuer}"),
    ),
    Row(
        Case(
            "oidc-wrong-secret",
            PEER,
            "svc-plus's secret is wrong: 401 `invalid_client` for every method",
            "refused by every authentication method",
        ),
        _tok("svc-plus", secret="Wrong+Secret/123="),
    ),
    Row(
        Case(
            "oidc-unknown-client",
            PEER,
            "no client `nobody`: 401 `invalid_client` (the server does not say the client is "
            "unknown, so the verdict names both causes)",
            "refused by every authentication method",
        ),
        "token {token_url} --client-id nobody --client-secret 'Wrong-Secret-123' --scope read",
    ),
    Row(
        Case(
            "oidc-scope-not-allowed",
            PEER,
            "svc-post may only have `read`; `write` is refused with 400 `invalid_scope`",
            "scope not allowed",
        ),
        _tok("svc-post", "--scope write"),
    ),
    Row(
        Case(
            "oidc-secret-trailing-newline",
            PEER,
            "the secret in the bot's environment ends with a newline: 400 `invalid_request` "
            "as sent, a token once trimmed",
            "trailing newline",
        ),
        f"token {{token_url}} --client-id svc-plus --client-secret-env {CS_ENV} --scope read",
        {CS_ENV: CLIENTS["svc-plus"][0] + "\n"},
    ),
    Row(
        Case(
            "oidc-jwt-healthy",
            PEER,
            "svc-jwt gets a JWT access token for its default resource",
            "got a token",
            Severity.OK,
        ),
        _tok("svc-jwt"),
    ),
    Row(
        Case(
            "oidc-audience-ignored",
            PEER,
            "oidc-provider ignores `audience` (it takes RFC 8707 `resource`): the JWT's `aud` is "
            "its default resource, not the audience asked for",
            "audience",
            Severity.WARN,
        ),
        _tok("svc-jwt", "--scope read --audience https://orders.example"),
    ),
    Row(
        Case(
            "oidc-not-a-token-endpoint",
            PEER,
            "the URL is not a token endpoint: 404",
            "did not answer like a token endpoint",
            Severity.ERROR,
        ),
        _tok("svc-plus").replace("{token_url}", "{issuer}/no-such/token"),
    ),
]


def _post(url: str, client: str | None, how: str = "encoded", **form: str) -> httpx.Response:
    headers: dict[str, str] = {}
    if client is not None:
        secret = form.pop("secret", CLIENTS.get(client, ("x", ""))[0])
        if how == "post":
            form |= {"client_id": client, "client_secret": secret}
        else:
            headers["Authorization"] = basic(client, secret, encoded=how == "encoded")
    return httpx.post(url, data=form, headers=headers, timeout=5)


@pytest.fixture(scope="module")
def truths(oidc_server: OidcServer) -> list[str]:
    """The ground truths of the cases, checked with plain HTTP before any case runs."""
    tok = oidc_server.token_url
    cc = {"grant_type": "client_credentials", "scope": "read"}

    def error(answer: httpx.Response) -> tuple[int, object]:
        body = answer.json() if answer.content else {}
        return answer.status_code, body.get("error")

    def aud_of(answer: httpx.Response) -> object:
        payload = answer.json()["access_token"].split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["aud"]

    def introspect(token: str, caller: str) -> object:
        answer = _post(oidc_server.introspection_url, caller, token=token)
        return answer.json().get("active")

    jwt = oidc_server.token("svc-jwt", scope="read")
    checks: list[tuple[str, bool]] = [
        (
            "svc-plus URL-encoded Basic gets a token",
            _post(tok, "svc-plus", **cc).status_code == 200,
        ),
        (
            "wrong secret: 401 invalid_client",
            error(_post(tok, "svc-plus", secret="Wrong+Secret/123=", **cc))
            == (401, "invalid_client"),
        ),
        (
            "unknown client: 401 invalid_client",
            error(_post(tok, "nobody", secret="Wrong-Secret-123", **cc)) == (401, "invalid_client"),
        ),
        (
            "svc-post asking write: 400 invalid_scope",
            error(_post(tok, "svc-post", how="post", **{**cc, "scope": "write"}))
            == (400, "invalid_scope"),
        ),
        (
            "secret with a trailing newline: 400 invalid_request",
            error(_post(tok, "svc-plus", secret=CLIENTS["svc-plus"][0] + "\n", **cc))[0] == 400,
        ),
        (
            "`audience` is ignored: the JWT's aud is the default resource",
            aud_of(_post(tok, "svc-jwt", **cc, audience="https://orders.example")) == JWT_RESOURCE,
        ),
        (
            "no token endpoint at /no-such/token: 404",
            _post(oidc_server.issuer + "/no-such/token", "svc-plus", **cc).status_code == 404,
        ),
        (
            "a fresh JWT of svc-jwt is {active:false} to `introspector`",
            introspect(jwt, "introspector") is False,
        ),
    ]
    failed = [sentence for sentence, holds in checks if not holds]
    assert not failed, f"oidc-provider ground truth does not hold: {failed}"
    return [sentence for sentence, _ in checks]


@pytest.mark.parametrize("row", ROWS, ids=ids(ROWS))
async def test_token_verdicts(
    row: Row,
    truths: list[str],
    oidc_server: OidcServer,
    judge: Judge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in row.env.items():
        monkeypatch.setenv(name, value)
    values = {"token_url": oidc_server.token_url, "issuer": oidc_server.issuer}
    st = settings(issuer=oidc_server.issuer)
    report = await run_scanned(row.command.format(**values), st, [*SECRETS, *row.env.values()])
    judge(row.case, report)


INTROSPECT_CASES = [
    Case(
        "oidc-introspect-active",
        PEER,
        "a fresh opaque token of svc-plus, introspected by the same client",
        "token is active",
        Severity.OK,
    ),
    Case(
        "oidc-introspect-revoked",
        PEER,
        "the opaque token was revoked before introspection: {active:false}",
        "token is not active",
    ),
    Case(
        "oidc-introspect-jwt-of-another-client",
        PEER,
        "a valid JWT of svc-jwt introspected as `introspector`: oidc-provider answers "
        "{active:false} for JWT access tokens, so 'inactive' is not proven",
        "belongs to client `svc-jwt`",
        Severity.ERROR,
        undecided=True,
    ),
]


@pytest.mark.parametrize("case", INTROSPECT_CASES, ids=[c.name for c in INTROSPECT_CASES])
async def test_introspect_verdicts(
    case: Case, truths: list[str], oidc_server: OidcServer, judge: Judge
) -> None:
    jwt_case = "jwt" in case.name
    owner = "svc-jwt" if jwt_case else "svc-plus"
    caller = "introspector" if jwt_case else "svc-plus"
    token = oidc_server.token(owner, scope="read")
    if case.name.endswith("revoked"):
        oidc_server.revoke(token, owner)
    text = (
        f"introspect {token} --url {oidc_server.introspection_url} "
        f"--client-id {caller} --client-secret '{oidc_server.secret(caller)}'"
    )
    report = await run_scanned(text, settings(), [*SECRETS, token])
    judge(case, report)
