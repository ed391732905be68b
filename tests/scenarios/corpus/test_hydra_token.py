"""Verdict corpus, token side, on the Hydra fakes (tests/fakes/hydra_admin.py, stack.py).

The fakes follow Hydra's bytes (DOMAIN.md): a refused client is 401 `invalid_client` with the
standard description "Client authentication failed (e.g., unknown client, no client
authentication included, or unsupported authentication method)" — a list of examples, not a
statement that the client is unknown — plus an `error_hint` naming the auth method when that is
the cause. Introspection on the admin port answers by Hydra's own clock, so a Hydra whose clock
is behind calls an expired JWT active. Each case states its ground truth.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest
import pytest_asyncio

from handlers.core.model import Severity
from tests.fakes.hydra_admin import INVALID_CLIENT_DESCRIPTION, hydra_client
from tests.scenarios.corpus.conftest import Case, Judge
from tests.scenarios.corpus.running import Row, ids, run_scanned, settings
from tests.scenarios.stack import NOW, Issuer, ScenarioHydra, at

PEER = "hydra-fake"
PLUS_SECRET = "Hy+dra/Sec=ret42"
POST_SECRET = "PostOnlySecret-77"
CODE_SECRET = "CodeOnlySecret-55"
INTROSPECTOR_SECRET = "Intro-Spector-Secret-9"


@pytest_asyncio.fixture(name="hydra_peer")
async def hydra_peer_fixture() -> AsyncIterator[ScenarioHydra]:
    hydra = ScenarioHydra()
    hydra.add_client(hydra_client("orders", PLUS_SECRET, scope="read"))
    hydra.add_client(
        hydra_client("poster", POST_SECRET, scope="read", auth_method="client_secret_post")
    )
    hydra.add_client(
        hydra_client("coder", CODE_SECRET, scope="read", grant_types=["authorization_code"])
    )
    await hydra.start()
    try:
        await _verify(hydra)
        yield hydra
    finally:
        await hydra.stop()


async def _verify(hydra: ScenarioHydra) -> None:
    """The cases' ground truths, checked with plain HTTP first (async: the fake shares the loop)."""
    url = hydra.public_url + "/oauth2/token"
    cc = {"grant_type": "client_credentials", "scope": "read"}
    answers: dict[str, httpx.Response] = {}
    tries: list[tuple[str, tuple[str | bytes, str | bytes] | None, dict[str, str]]]
    async with httpx.AsyncClient(timeout=5) as http:
        tries = [
            ("wrong", ("orders", "nope"), cc),
            ("basic_for_post", ("poster", POST_SECRET), cc),
            ("post", None, {**cc, "client_id": "poster", "client_secret": POST_SECRET}),
            ("coder", ("coder", CODE_SECRET), cc),
            ("write", ("orders", quote_plus(PLUS_SECRET)), {**cc, "scope": "write"}),
            ("raw_plus", ("orders", PLUS_SECRET), cc),
        ]
        for name, auth, form in tries:
            if auth is None:
                answers[name] = await http.post(url, data=form)
            else:
                answers[name] = await http.post(url, data=form, auth=auth)
    wrong = answers["wrong"]
    assert wrong.status_code == 401
    assert wrong.json()["error_description"] == INVALID_CLIENT_DESCRIPTION
    assert "error_hint" not in wrong.json()
    basic_for_post = answers["basic_for_post"]
    assert basic_for_post.status_code == 401
    assert "client_secret_post" in basic_for_post.json()["error_hint"]
    assert answers["post"].is_success
    assert answers["coder"].json()["error"] == "unauthorized_client"
    assert answers["write"].json()["error"] == "invalid_scope"
    # Hydra URL-decodes Basic credentials: the raw `+` becomes a space and fails.
    assert answers["raw_plus"].json()["error"] == "invalid_client"


TOKEN_ROWS = [
    Row(
        Case(
            "hydra-healthy-plus-secret",
            PEER,
            "the secret has `+ / =`; Hydra URL-decodes Basic credentials and the client is right",
            "got a token",
            Severity.OK,
        ),
        f"token {{token_url}} --client-id orders --client-secret '{PLUS_SECRET}' --scope read",
    ),
    Row(
        Case(
            "hydra-wrong-secret-standard-wording",
            PEER,
            "the client exists, the secret is wrong; Hydra's description lists 'unknown client' "
            "only as an example, so the verdict must not claim the client is unknown",
            "refused by every authentication method",
        ),
        "token {token_url} --client-id orders --client-secret 'Wrong+Secret/1' --scope read",
    ),
    Row(
        Case(
            "hydra-basic-for-post-client",
            PEER,
            "the client is registered for client_secret_post; Basic is refused with a hint, the "
            "POST body works",
            "only authenticates with credentials in the POST body",
        ),
        f"token {{token_url}} --client-id poster --client-secret '{POST_SECRET}' --scope read",
    ),
    Row(
        Case(
            "hydra-grant-not-allowed",
            PEER,
            "the client may only use authorization_code: 400 `unauthorized_client`",
            "may not use the client_credentials grant",
        ),
        f"token {{token_url}} --client-id coder --client-secret '{CODE_SECRET}' --scope read",
    ),
    Row(
        Case(
            "hydra-scope-not-allowed",
            PEER,
            "the client may only have `read`: 400 `invalid_scope` for `write`",
            "scope not allowed",
        ),
        f"token {{token_url}} --client-id orders --client-secret '{PLUS_SECRET}' --scope write",
    ),
]


@pytest.mark.parametrize("row", TOKEN_ROWS, ids=ids(TOKEN_ROWS))
async def test_token_verdicts(row: Row, hydra_peer: ScenarioHydra, judge: Judge) -> None:
    text = row.command.format(token_url=hydra_peer.public_url + "/oauth2/token")
    secrets = [PLUS_SECRET, POST_SECRET, CODE_SECRET]
    report = await run_scanned(text, settings(**hydra_peer.settings_overrides()), secrets)
    judge(row.case, report)


#: (case, claims of the JWT, Hydra's clock offset from the bot's in seconds, client deleted)
INTROSPECT_ROWS: list[tuple[Case, dict[str, Any], int, bool]] = [
    (
        Case(
            "hydra-active-but-expired",
            PEER,
            "Hydra's clock is an hour behind: it calls a JWT active whose `exp` passed 10 min ago",
            "introspection says active, but the token expired",
            Severity.WARN,
        ),
        {"iat": at(-3000), "exp": at(-600)},
        -3600,
        False,
    ),
    (
        Case(
            "hydra-active-but-not-yet-valid",
            PEER,
            "the JWT's `nbf` is an hour ahead of the bot's clock, yet Hydra calls it active",
            "not valid until",
            Severity.WARN,
        ),
        {"iat": at(3600), "nbf": at(3600), "exp": at(7200)},
        0,
        False,
    ),
    (
        Case(
            "hydra-admin-inactive-client-deleted",
            PEER,
            "the token's client was deleted; Hydra's admin port introspects every client's "
            "tokens, so {active:false} is proven even though the bot's client differs",
            "token is not active",
        ),
        {},
        0,
        True,
    ),
]


@pytest.mark.parametrize(
    ("case", "claims", "offset", "deleted"),
    INTROSPECT_ROWS,
    ids=[r[0].name for r in INTROSPECT_ROWS],
)
async def test_introspect_verdicts(
    case: Case,
    claims: dict[str, Any],
    offset: int,
    deleted: bool,
    hydra_peer: ScenarioHydra,
    judge: Judge,
) -> None:
    issuer = Issuer()
    token = hydra_peer.issue_jwt(issuer, client_id="orders", **claims)
    hydra_peer.now = NOW + timedelta(seconds=offset)
    if deleted:
        hydra_peer.clients.pop("orders")
    st = settings(
        **hydra_peer.settings_overrides(),
        introspect_client_id="bot-introspector",
        introspect_client_secret=INTROSPECTOR_SECRET,
    )
    report = await run_scanned(
        f"introspect {token}", st, [token, INTROSPECTOR_SECRET], clock=lambda: NOW
    )
    judge(case, report)
