"""`token --grant password`: user login against a UAA-like endpoint over real HTTP (DOMAIN.md:
client checked first, `login_hint` origins, SAML origins refused, UAA's wording), the split into
client vs user authentication by a client-credentials request, and the rule that neither the
password nor the client secret is ever chat text."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.model import Finding, Report, Severity
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes.gatekeepers import FakeUaa
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

CLIENT = "orders-client"
#: XSUAA client ids carry `!`, which URL-encoding changes too.
XSUAA_CLIENT = "sb-orders!t42"
#: An XSUAA binding secret: `<uuid>$<base64>=` — `$` and `=` change when URL-encoded.
BINDING_SECRET = "4f1c2b7e-9a0d-4e11-8c5f-2a6b3d9e0f17$Qm9yZGVyc1NlY3JldEtleQ=="
PLAIN_SECRET = "plainClientSecret123"
PASSWORD = "Corr3ct-Horse-Battery"
USER = "jane@example.com"
PW_ENV = "AUTHCHECK_PASSWORD_JANE"
SECRET_ENV = "AUTHCHECK_CLIENT_SECRET_ORDERS"


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"url_allowlist": ["127.0.0.1"], "timeout": 3, "kubeconfig": None}
    values.update(overrides)
    return Settings(**values)


async def run(text: str, st: Settings | None = None) -> Report:
    inv = parse(text, default_registry())
    return await run_invocation(inv, CheckContext(settings=st or settings()))


def by_title(report: Report, fragment: str) -> Finding:
    matches = [f for f in report.findings if fragment.lower() in f.title.lower()]
    assert matches, f"no finding with {fragment!r}: {[f.title for f in report.findings]}"
    return matches[0]


def attempts(report: Report) -> list[tuple[str, int | None]]:
    found = by_title(report, "token request")
    return [(a["label"], a["status"]) for a in found.evidence["attempts"]]


def assert_no_leak(report: Report, *secrets: str) -> None:
    blob = json.dumps(report.to_dict()) + render(report)
    for secret in secrets:
        assert secret not in blob


def forms(uaa: FakeUaa) -> list[dict[str, list[str]]]:
    return [parse_qs(body.decode()) for body in uaa.bodies]


@pytest.fixture
def xsuaa(uaa: FakeUaa, monkeypatch: pytest.MonkeyPatch) -> FakeUaa:
    """A subaccount: SAP ID service (OIDC), an IAS tenant over OIDC, a corporate SAML IdP."""
    uaa.clients[CLIENT] = PLAIN_SECRET
    uaa.origins.update({"sap.custom": "oidc", "corp-saml": "saml"})
    uaa.users[("sap.default", USER)] = PASSWORD
    uaa.users[("sap.custom", USER)] = PASSWORD
    monkeypatch.setenv(PW_ENV, PASSWORD)
    monkeypatch.setenv(SECRET_ENV, PLAIN_SECRET)
    # The operator names the server each credential of the bot's environment belongs to.
    monkeypatch.setenv(PW_ENV + "_URL", uaa.base)
    monkeypatch.setenv(SECRET_ENV + "_URL", uaa.base)
    return uaa


def password_cmd(uaa: FakeUaa, *extra: str) -> str:
    return " ".join(
        [
            f"token {uaa.base}/oauth/token --grant password --client-id {CLIENT}",
            f"--client-secret-env {SECRET_ENV} --username {USER} --password-env {PW_ENV}",
            *extra,
        ]
    )


async def test_user_gets_a_token_and_login_hint_is_url_encoded_json(xsuaa: FakeUaa) -> None:
    report = await run(password_cmd(xsuaa, "--origin sap.custom"))
    ok = by_title(report, f"User `{USER}` got a token through client `{CLIENT}`")
    assert ok.status is Severity.OK
    assert "origin `sap.custom`" in ok.detail
    assert f"environment variable {PW_ENV}" in ok.detail
    assert not report.status.is_problem
    # The form field is JSON, URL-encoded on the wire.
    assert b"login_hint=%7B%22origin%22%3A%22sap.custom%22%7D" in xsuaa.bodies[0]
    sent = forms(xsuaa)[0]
    assert sent["grant_type"] == ["password"]
    assert sent["username"] == [USER]
    assert xsuaa.requests == 1
    assert_no_leak(report, PASSWORD, PLAIN_SECRET)


async def test_wrong_password_is_user_side_proven_by_client_credentials(
    xsuaa: FakeUaa, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "Wr0ng-Horse-Battery"
    monkeypatch.setenv(PW_ENV, wrong)
    report = await run(password_cmd(xsuaa))
    split = by_title(report, f"Client `{CLIENT}` authenticates: the refusal is about the user")
    assert split.evidence["side"] == "user"
    failed = by_title(report, f"User authentication failed for `{USER}`")
    assert failed.status is Severity.FAIL
    assert "Bad credentials" in failed.detail
    assert "default origin" in failed.detail
    assert "SAP Note 3085908" in failed.remedy
    assert "Universal ID" in failed.remedy
    assert "accounts.sap.com" in failed.remedy
    assert [status for _, status in attempts(report)] == [401, 200]
    assert [f["grant_type"] for f in forms(xsuaa)] == [["password"], ["client_credentials"]]
    assert_no_leak(report, wrong, PASSWORD, PLAIN_SECRET)


async def test_saml_origin_is_refused_for_the_password_grant(xsuaa: FakeUaa) -> None:
    report = await run(password_cmd(xsuaa, "--origin corp-saml"))
    bad = by_title(report, "is not an active identity provider that allows the password grant")
    assert bad.status is Severity.FAIL
    assert "origin `corp-saml`" in bad.title.lower()
    assert "does not match an active Identity Provider" in bad.detail
    for words in ("SAML", "sap.default", "sap.custom", "Trust Configuration", "OpenID Connect"):
        assert words in bad.remedy
    assert bad.evidence["user_side"] is True


async def test_unknown_and_inactive_origins_are_origin_problems(xsuaa: FakeUaa) -> None:
    xsuaa.inactive.add("sap.custom")
    for origin in ("sap.custom", "no-such-idp"):
        report = await run(password_cmd(xsuaa, f"--origin {origin}"))
        assert by_title(report, "not an active identity provider").status is Severity.FAIL


async def test_wrong_client_secret_fails_both_grants_client_side(
    xsuaa: FakeUaa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "notTheClientSecret99")
    report = await run(password_cmd(xsuaa))
    client = by_title(report, "Client authentication fails")
    assert client.status is Severity.FAIL
    assert client.evidence["side"] == "client"
    assert "credential-types" in client.remedy
    assert "X-CF-ENCODED-CREDENTIALS" in client.remedy
    assert by_title(report, "refused by every authentication method").status is Severity.FAIL
    assert not [f for f in report.findings if "User authentication failed" in f.title]
    tried = attempts(report)
    assert tried[0][0].startswith("password grant")
    assert tried[1][0].startswith("client credentials")
    assert len(tried) <= 7
    assert all(status == 401 for _, status in tried)
    assert_no_leak(report, "notTheClientSecret99", PASSWORD)


async def test_binding_secret_encoding_is_found_then_the_user_logs_in(
    xsuaa: FakeUaa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """UAA takes Basic credentials raw: URL-encoding `$`/`=` breaks client auth, which the
    experiments find; the password grant is then repeated the way that works."""
    xsuaa.clients[XSUAA_CLIENT] = BINDING_SECRET
    monkeypatch.setenv(SECRET_ENV, BINDING_SECRET)
    text = password_cmd(xsuaa, "--origin sap.default").replace(CLIENT, XSUAA_CLIENT)
    report = await run(text)
    assert by_title(report, "Client authentication fails").status is Severity.FAIL
    ok = by_title(report, f"User `{USER}` got a token")
    assert ok.status is Severity.OK
    tried = attempts(report)
    assert tried[0] == (
        "password grant, Basic, URL-encoded (RFC 6749 §2.3.1), login_hint origin sap.default",
        401,
    )
    assert tried[-1][0].startswith("password grant")
    assert tried[-1][1] == 200
    assert len(tried) <= 7
    assert_no_leak(report, BINDING_SECRET, PASSWORD)


async def test_client_not_allowed_the_password_grant(xsuaa: FakeUaa) -> None:
    xsuaa.grants[CLIENT] = {"client_credentials"}
    report = await run(password_cmd(xsuaa))
    refused = by_title(report, f"Client `{CLIENT}` may not use the password grant")
    assert refused.status is Severity.FAIL
    assert "Unauthorized grant type: password" in refused.detail
    assert "xs-security.json" in refused.remedy
    assert xsuaa.requests == 1


async def test_client_without_client_credentials_grant_still_splits_to_user(
    xsuaa: FakeUaa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """UAA says `invalid_client` "Unauthorized grant type" only after the client authenticated."""
    xsuaa.grants[CLIENT] = {"password"}
    monkeypatch.setenv(PW_ENV, "not-the-password")
    report = await run(password_cmd(xsuaa))
    assert by_title(report, "authenticates: the refusal is about the user").status is (
        Severity.INFO
    )
    assert by_title(report, "User authentication failed").status is Severity.FAIL


async def test_password_and_user_from_a_kubernetes_secret(kube: FakeKube, xsuaa: FakeUaa) -> None:
    # Each Secret names the server it belongs to (`url`): only there may its values go.
    kube.add_secret(
        "apps", "jane-login", {"username": USER, "password": PASSWORD + "\n", "url": xsuaa.base}
    )
    kube.add_secret(
        "apps", "xsuaa", {"clientid": CLIENT, "clientsecret": PLAIN_SECRET, "url": xsuaa.base}
    )
    xsuaa.users[("sap.default", USER)] = PASSWORD + "\n"
    text = (
        f"token {xsuaa.base}/oauth/token --grant password --secret apps/xsuaa "
        "--password-secret apps/jane-login"
    )
    report = await run(text, settings(kubeconfig=str(kube.kubeconfig)))
    assert by_title(report, f"User `{USER}` got a token").status is Severity.OK
    newline = by_title(report, "has a trailing newline around it")
    assert newline.status is Severity.WARN
    assert "Secret apps/jane-login" in newline.title
    assert_no_leak(report, PASSWORD, PLAIN_SECRET)


async def test_password_secret_without_password_key(kube: FakeKube, xsuaa: FakeUaa) -> None:
    kube.add_secret("apps", "jane-login", {"user": USER, "pwd": PASSWORD})
    text = (
        f"token {xsuaa.base}/oauth/token --grant password --client-id {CLIENT} "
        f"--client-secret-env {SECRET_ENV} --password-secret apps/jane-login"
    )
    report = await run(text, settings(kubeconfig=str(kube.kubeconfig)))
    missing = by_title(report, "has no `password` key")
    assert missing.status is Severity.FAIL
    assert missing.evidence["keys"] == ["pwd", "user"]
    assert xsuaa.requests == 0
    assert_no_leak(report, PASSWORD)


async def test_unset_password_variable_is_an_error_and_nothing_is_sent(
    xsuaa: FakeUaa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PW_ENV)
    report = await run(password_cmd(xsuaa))
    unset = by_title(report, f"`{PW_ENV}` is not set")
    assert unset.status is Severity.ERROR
    assert xsuaa.requests == 0


async def test_unreachable_token_endpoint_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.oidc import free_port

    url = f"http://127.0.0.1:{free_port()}/oauth/token"
    monkeypatch.setenv(PW_ENV, PASSWORD)
    monkeypatch.setenv(SECRET_ENV, PLAIN_SECRET)
    monkeypatch.setenv(PW_ENV + "_URL", url)
    monkeypatch.setenv(SECRET_ENV + "_URL", url)
    report = await run(
        f"token {url} --grant password --client-id {CLIENT} --client-secret-env {SECRET_ENV} "
        f"--username {USER} --password-env {PW_ENV}"
    )
    assert by_title(report, "Token endpoint unreachable").status is Severity.ERROR
    assert not [f for f in report.findings if f.status is Severity.FAIL]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "token http://x/oauth/token --grant password --client-id c --client-secret s "
            "--username u --password-env AUTHCHECK_PASSWORD_U",
            "with --grant password the client secret may not be typed in chat: use --secret "
            "NS/NAME, or --client-id ID --client-secret-env AUTHCHECK_CLIENT_SECRET_…",
        ),
        (
            "token http://x/oauth/token --grant password --secret a/b --username u",
            "the password grant needs the user's password from --password-secret NS/NAME or "
            "--password-env AUTHCHECK_PASSWORD_…, never as chat text",
        ),
        (
            "token http://x/oauth/token --grant password --secret a/b --password-env HOME",
            "--password-env must name a variable starting with AUTHCHECK_PASSWORD_ (upper case, "
            "digits, `_`): the bot reads no other variable of its environment on a chat user's "
            "behalf",
        ),
        (
            "token http://x/oauth/token --grant password --secret a/b "
            "--password-env AUTHCHECK_PASSWORD_",
            "--password-env must name a variable starting with AUTHCHECK_PASSWORD_ (upper case, "
            "digits, `_`): the bot reads no other variable of its environment on a chat user's "
            "behalf",
        ),
        (
            "token http://x/oauth/token --client-id c --client-secret-env SLACK_BOT_TOKEN",
            "--client-secret-env must name a variable starting with AUTHCHECK_CLIENT_SECRET_ "
            "(upper case, digits, `_`): the bot reads no other variable of its environment on a "
            "chat user's behalf",
        ),
        (
            "token http://x/oauth/token --secret a/b --username u",
            "--username is only for --grant password",
        ),
        (
            "token http://x/oauth/token --grant password --secret a/b "
            "--password-secret a/p --password-env AUTHCHECK_PASSWORD_U",
            "give one of --password-secret, --password-env or the form, not several",
        ),
        (
            "token http://x/oauth/token --grant pasword --secret a/b",
            "--grant must be one of client_credentials, password",
        ),
    ],
)
def test_bad_input_is_a_usage_error(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text, default_registry())
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    "text",
    [
        "token http://x/oauth/token --grant password --secret a/b --username u "
        "--password Hunter2-Secret!",
        "token http://x/oauth/token --grant password --secret a/b --username u "
        "--password=Hunter2-Secret!",
        "token http://x/oauth/token --grant password --secret a/b --username u Hunter2-Secret!",
    ],
)
def test_no_password_is_accepted_as_chat_text(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text, default_registry())
    assert "Hunter2-Secret!" not in caught.value.one_line()


def test_help_explains_the_environment_variable_rule() -> None:
    from handlers.core.help import command_help

    command = default_registry().get("token")
    assert command is not None
    text = command_help(command)
    assert "--password-env VAR" in text
    assert "must start with AUTHCHECK_PASSWORD_ so chat users cannot make the bot read" in text
    assert "never typed in chat" in text
