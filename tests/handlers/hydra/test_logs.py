"""`hydra_logs` classifies Hydra's own lines (logrus text and JSON, as Hydra v1/v2 write them) and
never lets a secret through; the `hydra` and `client` commands read them from Hydra's pods on the
emulated Kubernetes API."""

from __future__ import annotations

import json

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.grammar import parse as parse_command
from handlers.core.model import Report, Severity
from handlers.core.runner import run_invocation
from handlers.hydra.logs import Kind, parse, scrub
from tests.fakes.hydra_admin import FakeHydra, hydra_client, hydra_fixture  # noqa: F401
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

CLIENT_ID = "6f2c9a1e-0b5d-4e0c-9d0a-2f1c8b7e4a11"
JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InB1YmxpYzpoeWRyYSJ9.eyJzdWIiOiJvcmRlcnMiLCJleHAiOjE3MDB9"
    ".c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
)
OPAQUE = "ory_at_1vlHId8zJgLJ0U4h4mS0WMKGnwELT43dTdVIk5SH9fc.qL4p_ueKe-hc-65eb1ms"
DB_PASSWORD = "pg-Pa55word-hydra"
CLIENT_SECRET = "Zq8+xK2/vP9wLm3=Tn7rYb4Hc6Jd"

# Hydra v2 text format: unquoted values with spaces, Go map syntax for nested fields.
INTROSPECT_DENIED = (
    "time=2026-05-04T12:26:31Z level=info msg=access denied audience=audit error=map[debug: "
    "message:Token is inactive because it is malformed, expired or otherwise invalid. Token "
    "validation failed. reason: status:Unauthorized status_code:401] http_request=map[headers:"
    "map[accept:application/json authorization:Value is sensitive and has been redacted. To see "
    'the value set config key "log.leak_sensitive_values = true"] host:ory-hydra-admin:4445 '
    "method:POST path:/admin/oauth2/introspect query:<nil> remote:10.1.2.3:41234 scheme:http] "
    "service_name=Ory Hydra service_version=v2.2.0"
)
ACCESS_ALLOWED = (
    "time=2026-05-04T12:26:30Z level=info msg=access allowed audience=audit http_request=map["
    "method:POST path:/oauth2/token] service_name=Ory Hydra service_version=v2.2.0"
)
# Leaked values: a Hydra run with log.leak_sensitive_values = true.
CLIENT_AUTH_JSON = json.dumps(
    {
        "audience": "application",
        "error": {
            "message": "invalid_client",
            "reason": "",
            "debug": "crypto/bcrypt: hashedPassword is not the hash of the given password",
            "status_code": 401,
        },
        "http_request": {
            "headers": {"authorization": f"Basic {CLIENT_SECRET}"},
            "method": "POST",
            "path": "/oauth2/token",
            "query": f"client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}",
        },
        "level": "error",
        "msg": "An error occurred while handling a request",
        "service_name": "Ory Hydra",
        "time": "2026-05-04T12:27:02Z",
    }
)
UNATTRIBUTED_AUTH = (
    'time="2026-05-04T12:27:10Z" level=error msg="An error occurred while handling a request" '
    'code=401 debug="The requested OAuth 2.0 Client does not exist." details="map[]" '
    'error="Client authentication failed (e.g., unknown client, no client authentication '
    'included, or unsupported authentication method)." reason= request-id= status=Unauthorized'
)
DATABASE = (
    "time=2026-05-04T12:25:00Z level=error msg=Unable to ping the database connection, "
    f"retrying. audience=application dsn=postgres://hydra:{DB_PASSWORD}@ory-postgresql:5432/"
    "hydra?sslmode=disable error=map[message:failed to connect to `host=ory-postgresql "
    "user=hydra database=hydra`: dial error (dial tcp 10.96.4.7:5432: connect: connection "
    "refused)] service_name=Ory Hydra service_version=v2.2.0"
)
NOT_AUTHORIZED_JSON = json.dumps(
    {
        "audience": "application",
        "error": {"message": "The request could not be authorized", "status_code": 401},
        "http_request": {"method": "POST", "path": "/admin/oauth2/introspect"},
        "level": "error",
        "msg": "An error occurred while handling a request",
        "time": "2026-05-04T12:28:00Z",
        "token": JWT,
    }
)
LEAKY_BODY = (
    f"time=2026-05-04T12:29:00Z level=error msg=request failed form=password=hunter2-Secret&"
    f"refresh_token={OPAQUE} authorization:Bearer {JWT}"
)
LOG = "\n".join(
    [
        ACCESS_ALLOWED,
        DATABASE,
        INTROSPECT_DENIED,
        CLIENT_AUTH_JSON,
        UNATTRIBUTED_AUTH,
        NOT_AUTHORIZED_JSON,
        LEAKY_BODY,
        "time=2026-05-04T12:30:00Z level=info msg=completed handling request",
    ]
)
SECRETS = (JWT, OPAQUE, DB_PASSWORD, CLIENT_SECRET, "hunter2-Secret")


def test_each_kind_is_recognised_in_text_and_json() -> None:
    lines = parse(LOG, client_id=CLIENT_ID, pod="hydra-0")
    assert [ln.kind for ln in lines] == [
        Kind.DATABASE,
        Kind.ACCESS_DENIED,
        Kind.CLIENT_AUTH,
        Kind.CLIENT_AUTH,
        Kind.ACCESS_DENIED,
        Kind.OTHER_ERROR,
    ]
    db, denied, mine, unattributed, not_authorized, _ = lines
    assert db.timestamp == "2026-05-04T12:25:00Z"
    assert "Unable to ping the database" in db.summary
    assert denied.introspection
    assert denied.summary.startswith("access denied — Token is inactive")
    assert denied.summary.endswith("[POST /admin/oauth2/introspect → 401]")
    assert mine.mentions_client
    assert not unattributed.mentions_client
    assert "hashedPassword is not the hash" in mine.summary
    assert unattributed.timestamp == "2026-05-04T12:27:10Z"
    assert "does not exist" in unattributed.summary
    assert "could not be authorized" in not_authorized.summary


def test_no_secret_survives_in_any_summary() -> None:
    blob = json.dumps([ln.shown() for ln in parse(LOG, client_id=CLIENT_ID)])
    for secret in SECRETS:
        assert secret not in blob


def test_scrub_handles_the_usual_shapes() -> None:
    text = scrub(
        f"Authorization: Bearer {JWT} client_secret={CLIENT_SECRET} "
        f'"password":"{DB_PASSWORD}" postgres://hydra:{DB_PASSWORD}@db:5432/x '
        f"token:{OPAQUE} keep=this"
    )
    for secret in (JWT, CLIENT_SECRET, DB_PASSWORD, OPAQUE):
        assert secret not in text
    assert "postgres://hydra:[redacted]@db:5432/x" in text
    assert "keep=this" in text
    assert scrub(text) == text


def test_plain_info_lines_are_not_verdicts() -> None:
    assert parse(ACCESS_ALLOWED + "\n\n" + "level=debug msg=started handling request") == []


# -- through the commands ------------------------------------------------------------------


async def _run(text: str, kube: FakeKube, hydra: FakeHydra) -> Report:
    ctx = kube.context(**hydra.settings_overrides())
    report = await run_invocation(parse_command(text, default_registry()), ctx)
    blob = json.dumps(report.to_dict()) + render(report)
    for secret in SECRETS:
        assert secret not in blob
    return report


def logs_of(report: Report) -> dict[str, list[str]]:
    return {
        f.title: f.evidence.get("lines", []) for f in report.findings if f.check == "hydra-logs"
    }


async def test_hydra_command_reports_database_errors_with_timestamps(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    kube.add_hydra_pod("ory-hydra-5c9f7", LOG)
    kube.add_pod("kyma-system", "hm-1", {"app.kubernetes.io/name": "hydra-maester"}, container="hm")
    report = await _run("hydra", kube, hydra)
    found = logs_of(report)
    db = next(f for f in report.findings if "database error" in f.title)
    assert db.status is Severity.WARN
    assert db.title == "Hydra logged 1 database error(s) in the last hour"
    assert found[db.title] == [db.evidence["lines"][0]]
    assert db.evidence["lines"][0].startswith("2026-05-04T12:25:00Z error:")
    assert "migrate" in db.remedy
    denied = next(f for f in report.findings if f.title.startswith("Hydra denied"))
    assert denied.title == "Hydra denied 2 request(s) in the last hour (2 introspection)"
    auth = next(f for f in report.findings if "client authentication failure" in f.title)
    assert auth.status is Severity.WARN
    assert "2 client authentication failure(s)" in auth.title
    assert denied.evidence["pods"] == ["ory-hydra-5c9f7"]


async def test_client_command_picks_out_this_clients_failures(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    kube.add_object(
        "hydra.ory.sh",
        "v1alpha1",
        "oauth2clients",
        {
            "apiVersion": "hydra.ory.sh/v1alpha1",
            "kind": "OAuth2Client",
            "metadata": {"name": "orders", "namespace": "apps"},
            "spec": {"grantTypes": ["client_credentials"], "secretName": "orders-creds"},
        },
    )
    kube.add_secret("apps", "orders-creds", {"CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": "other1"})
    hydra.add_client(hydra_client(CLIENT_ID, "registered-secret", owner="orders/apps"))
    kube.add_hydra_pod("ory-hydra-5c9f7", LOG)
    report = await _run("client apps/orders", kube, hydra)
    mine = next(f for f in report.findings if f.title.startswith("Hydra refused client"))
    assert mine.title == f"Hydra refused client `{CLIENT_ID}` 1 time(s) in the last hour"
    assert mine.status is Severity.WARN
    assert "2026-05-04T12:27:02Z error:" in mine.detail
    assert "token_endpoint_auth_method" in mine.remedy
    others = next(f for f in report.findings if "that name no client" in f.title)
    assert others.status is Severity.INFO


async def test_quiet_logs_are_ok_and_missing_pods_are_info(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    report = await _run("hydra", kube, hydra)
    missing = next(f for f in report.findings if f.check == "hydra-logs")
    assert missing.status is Severity.INFO
    assert "app.kubernetes.io/name=hydra" in missing.detail
    kube.add_hydra_pod("ory-hydra-1", ACCESS_ALLOWED + "\n")
    report = await _run("hydra", kube, hydra)
    quiet = next(f for f in report.findings if f.check == "hydra-logs")
    assert quiet.status is Severity.OK


async def test_forbidden_logs_are_an_error_naming_the_rbac_rule(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    kube.add_hydra_pod("ory-hydra-1", LOG)
    kube.forbid("get", "pods/log", "kyma-system")
    report = await _run("hydra", kube, hydra)
    err = next(f for f in report.findings if f.check == "hydra-logs" and f.status is Severity.ERROR)
    assert 'resources: ["pods/log"], verbs: ["get"]' in err.remedy
    assert "ory-hydra-1" in err.title
