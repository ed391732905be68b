"""`client`: OAuth2Client + Secret + Hydra + hydra-maester logs, against an emulated API server
(official kubernetes client via kubeconfig) and a Hydra fake over real HTTP."""

from __future__ import annotations

import json

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Report, Severity
from handlers.core.runner import run_invocation
from tests.fakes.hydra_admin import FakeHydra, hydra_client, hydra_fixture  # noqa: F401
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

CLIENT_ID = "6f2c9a1e-0b5d-4e0c-9d0a-2f1c8b7e4a11"
SECRET = "Zq8+xK2/vP9wLm3=Tn7rYb4Hc6Jd"
MAESTER = {"app.kubernetes.io/name": "hydra-maester"}

OK_LOG = (
    "2026-05-04T12:19:04.472Z\tINFO\tsetup\tstarting manager\n"
    "2026-05-04T12:26:30.819Z\tINFO\tcontrollers.OAuth2Client\tusing default client\n"
    "2026-05-04T12:26:31.468Z\tDEBUG\tcontroller-runtime.controller\tSuccessfully Reconciled\t"
    '{"controller": "oauth2client", "request": "apps/orders"}\n'
    "2026-05-04T12:26:32.000Z\tDEBUG\tcontroller-runtime.controller\tSuccessfully Reconciled\t"
    '{"controller": "oauth2client", "request": "apps/orders-v2"}\n'
)
ENDPOINT_404_LOG = (
    "2026-05-04T12:26:31.468Z\tERROR\tcontrollers.OAuth2Client\terror processing client "
    'orders/apps\t{"oauth2client": "apps/orders", "error": "POST '
    "http://ory-hydra-admin.kyma-system.svc.cluster.local:4445/clients returned unexpected "
    'status code: 404 page not found"}\n'
)
ID_EXISTS_LOG = (
    "2026-05-04T12:26:31.468Z\tERROR\tcontrollers.OAuth2Client\terror processing client "
    'orders/apps\t{"error": "POST http://ory-hydra-admin:4445/admin/clients returned '
    'unexpected status code: 409: {\\"error\\":\\"requested ID already exists\\"}"}\n'
)


def oauth2client(**spec: object) -> dict[str, object]:
    body: dict[str, object] = {
        "grantTypes": ["client_credentials"],
        "scope": "read write",
        "audience": ["https://orders.example.com"],
        "secretName": "orders-creds",
    }
    body.update(spec)
    return {
        "apiVersion": "hydra.ory.sh/v1alpha1",
        "kind": "OAuth2Client",
        "metadata": {"name": "orders", "namespace": "apps", "generation": 2},
        "spec": body,
        "status": {"observedGeneration": 2, "conditions": [{"type": "Ready", "status": "True"}]},
    }


def setup(
    kube: FakeKube,
    hydra: FakeHydra,
    *,
    secret_data: dict[str, str] | None = None,
    registered_secret: str = SECRET,
    register: bool = True,
    logs: str = OK_LOG,
    **spec: object,
) -> CheckContext:
    kube.add_object("hydra.ory.sh", "v1alpha1", "oauth2clients", oauth2client(**spec))
    kube.add_secret(
        "apps", "orders-creds", secret_data or {"CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": SECRET}
    )
    kube.add_pod("kyma-system", "hydra-maester-7d9f", MAESTER, container="hydra-maester", logs=logs)
    if register:
        hydra.add_client(
            hydra_client(
                CLIENT_ID,
                registered_secret,
                owner="orders/apps",
                scope="read write",
                audience=["https://orders.example.com"],
            )
        )
    return kube.context(**hydra.settings_overrides())


async def run(ctx: CheckContext, text: str = "client apps/orders") -> Report:
    return await run_invocation(parse(text, default_registry()), ctx)


def titles(report: Report, status: Severity) -> list[str]:
    return [f.title for f in report.findings if f.status is status]


def assert_no_leak(report: Report, *values: str) -> None:
    blob = json.dumps(report.to_dict()) + render(report)
    for value in values:
        assert value not in blob


async def test_healthy_client_proves_secret_with_a_token(kube: FakeKube, hydra: FakeHydra) -> None:
    report = await run(setup(kube, hydra))
    assert not report.status.is_problem, [f.to_dict() for f in report.findings]
    oks = titles(report, Severity.OK)
    assert f"Hydra knows client `{CLIENT_ID}` (v2 admin API)" in oks
    assert "The Secret's credentials get a token from Hydra" in oks
    assert "hydra-maester last reconciled this client successfully" in oks
    assert "/oauth2/token" in " ".join(hydra.requests)
    assert_no_leak(report, SECRET)


async def test_secret_edited_after_registration_fails_the_token_proof(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    report = await run(setup(kube, hydra, registered_secret="the-original-secret-value"))
    assert "The Secret does not match Hydra: token request rejected" in titles(
        report, Severity.FAIL
    )
    assert_no_leak(report, SECRET, "the-original-secret-value")


async def test_lower_case_keys_and_trailing_newline(kube: FakeKube, hydra: FakeHydra) -> None:
    ctx = setup(
        kube,
        hydra,
        secret_data={"client_id": CLIENT_ID, "client_secret": SECRET + "\n"},
        registered_secret=SECRET,
    )
    report = await run(ctx)
    warns = titles(report, Severity.WARN)
    assert any("trailing newline" in t and "client_secret" in t for t in warns)
    fail = next(f for f in report.findings if f.title.startswith("The Secret does not match"))
    assert "value without its surrounding whitespace works" in fail.detail
    assert_no_leak(report, SECRET)


async def test_missing_keys_named_without_values(kube: FakeKube, hydra: FakeHydra) -> None:
    ctx = setup(kube, hydra, secret_data={"clientId": CLIENT_ID, "password": SECRET})
    report = await run(ctx)
    fail = next(f for f in report.findings if "has no client id" in f.title)
    assert fail.status is Severity.FAIL
    assert "clientId, password" in fail.detail
    assert_no_leak(report, SECRET)


async def test_client_missing_in_hydra_v1_with_runbook_remedy(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    hydra.version = "v1.11.10"
    hydra.add_client(hydra_client("renamed-id", "x" * 20, owner="orders/apps"))
    report = await run(setup(kube, hydra, register=False))
    missing = next(f for f in report.findings if f.title.startswith("Hydra has no client"))
    assert missing.status is Severity.FAIL
    assert "v1 admin API" in missing.detail
    assert "restart the hydra-maester" in missing.remedy
    assert "database" in missing.remedy
    other = next(f for f in report.findings if "under another id" in f.title)
    assert "`renamed-id`" in other.detail
    # v2 path tried first (router 404), then v1 answered Hydra's own not-found.
    assert any(r.startswith("/admin/clients/") for r in hydra.requests)
    assert any(r.startswith(f"/clients/{CLIENT_ID}") for r in hydra.requests)


async def test_drift_between_resource_and_hydra(kube: FakeKube, hydra: FakeHydra) -> None:
    ctx = setup(
        kube,
        hydra,
        scope="read write admin",
        tokenEndpointAuthMethod="client_secret_post",
    )
    report = await run(ctx)
    drift = next(f for f in report.findings if "disagree" in f.title)
    assert drift.status is Severity.FAIL
    assert "scopes" in drift.detail
    assert "auth method: resource client_secret_post, Hydra client_secret_basic" in drift.detail


async def test_reconciliation_error_and_generation_lag(kube: FakeKube, hydra: FakeHydra) -> None:
    obj = oauth2client()
    obj["metadata"] = {"name": "orders", "namespace": "apps", "generation": 3}
    obj["status"] = {
        "observedGeneration": 2,
        "reconciliationError": {
            "statusCode": "CLIENT_REGISTRATION_FAILED",
            "description": "POST .../clients returned unexpected status code: 404",
        },
        "conditions": [{"type": "Ready", "status": "True"}],
    }
    kube.add_object("hydra.ory.sh", "v1alpha1", "oauth2clients", obj)
    kube.add_secret("apps", "orders-creds", {"CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": SECRET})
    kube.add_pod("kyma-system", "hm", MAESTER, container="hydra-maester", logs=ENDPOINT_404_LOG)
    report = await run(kube.context(**hydra.settings_overrides()))
    fails = titles(report, Severity.FAIL)
    assert "hydra-maester reports `CLIENT_REGISTRATION_FAILED` for this client" in fails
    assert "hydra-maester's calls to Hydra's admin API answer 404" in fails
    assert "The latest change to the OAuth2Client is not reconciled yet" in titles(
        report, Severity.WARN
    )
    logs = next(f for f in report.findings if f.check == "hydra-maester-logs")
    assert "/admin/clients" in logs.remedy
    assert logs.evidence["admin_path"] == "/clients"


async def test_requested_id_already_exists(kube: FakeKube, hydra: FakeHydra) -> None:
    report = await run(
        setup(kube, hydra, logs=ID_EXISTS_LOG + OK_LOG.replace('apps/orders"', 'x/y"'))
    )
    assert "hydra-maester: requested ID already exists" in titles(report, Severity.FAIL)


async def test_resource_missing_is_fail(kube: FakeKube, hydra: FakeHydra) -> None:
    report = await run(kube.context(**hydra.settings_overrides()), "client apps/nope")
    assert "OAuth2Client `apps/nope` does not exist" in titles(report, Severity.FAIL)


async def test_forbidden_secret_is_error_naming_permission(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    ctx = setup(kube, hydra)
    kube.forbid("get", "secrets", "apps")
    kube.forbid("get", "pods/log", "kyma-system")
    report = await run(ctx)
    errors = [f for f in report.findings if f.status is Severity.ERROR]
    assert {f.evidence["resource"] for f in errors} == {"secrets", "pods/log"}
    assert all('verbs: ["get"]' in f.remedy for f in errors)
    assert not any("does not exist" in f.title for f in report.findings)


async def test_unreachable_hydra_is_error_naming_url(kube: FakeKube, hydra: FakeHydra) -> None:
    ctx = setup(kube, hydra)
    await hydra.stop()
    report = await run(ctx)
    err = next(f for f in report.findings if "admin API" in f.title)
    assert err.status is Severity.ERROR
    assert hydra.admin_url in err.detail
    assert not titles(report, Severity.FAIL)


async def test_not_configured_is_an_error(hydra: FakeHydra, monkeypatch: object) -> None:
    """No cluster: the client could not be checked, which must not read as "fine" (exit 0)."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    from handlers.core.settings import Settings

    report = await run(CheckContext(settings=Settings(kubeconfig=None)))
    assert report.status is Severity.ERROR
    assert report.status.is_problem
    assert all("KUBECONFIG" in f.remedy for f in report.findings)
