"""`hydra`: Hydra health/version over real HTTP, hydra-maester pods via the emulated API server."""

from __future__ import annotations

from handlers.commands.registry import default_registry
from handlers.core.grammar import parse
from handlers.core.model import Report, Severity
from handlers.core.runner import run_invocation
from tests.fakes.hydra_admin import FakeHydra, hydra_fixture  # noqa: F401
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

MAESTER = {"app.kubernetes.io/name": "hydra-maester"}
ERROR_LINE = (
    "2026-05-04T12:26:31.468Z\tERROR\tcontrollers.OAuth2Client\terror processing client "
    'orders/apps\t{"error": "POST http://ory-hydra-admin:4445/clients returned unexpected '
    'status code: 404"}'
)


async def run(kube: FakeKube, hydra: FakeHydra) -> Report:
    ctx = kube.context(**hydra.settings_overrides())
    return await run_invocation(parse("hydra", default_registry()), ctx)


def by_status(report: Report, status: Severity) -> list[str]:
    return [f.title for f in report.findings if f.status is status]


async def test_all_healthy(kube: FakeKube, hydra: FakeHydra) -> None:
    kube.add_pod(
        "kyma-system",
        "hm-1",
        MAESTER,
        container="hydra-maester",
        args=["--endpoint=/admin/clients"],
        logs="",
    )
    report = await run(kube, hydra)
    assert not report.status.is_problem, [f.to_dict() for f in report.findings]
    assert "Hydra is ready (database reachable)" in by_status(report, Severity.OK)
    assert "Hydra version v2.2.0" in by_status(report, Severity.INFO)
    assert "Pod `hm-1` ready (0 restarts)" in by_status(report, Severity.OK)
    assert {"/health/alive", "/health/ready", "/version"} <= set(hydra.requests)


async def test_database_down_crashloop_and_v1_endpoint_on_v2(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    hydra.db_ready = False
    kube.add_pod(
        "kyma-system",
        "hm-1",
        MAESTER,
        container="hydra-maester",
        ready=False,
        restarts=7,
        waiting_reason="CrashLoopBackOff",
        last_terminated_reason="Error",
        args=["--hydra-url=http://ory-hydra-admin", "--endpoint", "/clients"],
        logs=ERROR_LINE + "\n",
    )
    report = await run(kube, hydra)
    fails = by_status(report, Severity.FAIL)
    assert "Hydra is not ready (503)" in fails
    ready = next(f for f in report.findings if f.title == "Hydra is not ready (503)")
    assert "database" in ready.detail
    assert any("CrashLoopBackOff" in t and "7 restarts" in t for t in fails)
    assert "hydra-maester calls `/clients` but Hydra v2.2.0 serves `/admin/clients`" in fails
    assert any("1 error line" in t for t in by_status(report, Severity.WARN))


async def test_unreachable_hydra_is_error_and_no_pods_is_fail(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    ctx_overrides = hydra.settings_overrides()
    await hydra.stop()
    ctx = kube.context(**ctx_overrides)
    report = await run_invocation(parse("hydra", default_registry()), ctx)
    err = next(f for f in report.findings if f.check == "hydra-health")
    assert err.status is Severity.ERROR
    assert ctx_overrides["hydra_admin_url"] in err.detail
    assert "No hydra-maester pods in `kyma-system`" in by_status(report, Severity.FAIL)


async def test_forbidden_pod_list(kube: FakeKube, hydra: FakeHydra) -> None:
    kube.forbid("list", "pods", "kyma-system")
    report = await run(kube, hydra)
    err = next(f for f in report.findings if f.check == "hydra-maester")
    assert err.status is Severity.ERROR
    assert 'resources: ["pods"], verbs: ["list"]' in err.remedy
