"""`hydra` pointed at something that is not Hydra's admin API: a wrong URL, never "not ready".

Issue 17: a 404 from the health endpoint (served by every Hydra version) means the URL leads
elsewhere, so the answer is `error` naming AUTHCHECK_HYDRA_ADMIN_URL, and it must not send the
responder to Hydra's database.
"""

from __future__ import annotations

from handlers.commands.registry import default_registry
from handlers.core.grammar import parse
from handlers.core.model import Report, Severity
from handlers.core.runner import run_invocation
from tests.fakes.hydra_admin import FakeHydra, hydra_fixture  # noqa: F401
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401


async def run(kube: FakeKube, admin_url: str, hydra: FakeHydra) -> Report:
    overrides = {**hydra.settings_overrides(), "hydra_admin_url": admin_url}
    ctx = kube.context(**overrides)
    return await run_invocation(parse("hydra", default_registry()), ctx)


async def test_admin_url_answering_404_is_a_wrong_url_error(
    kube: FakeKube, hydra: FakeHydra
) -> None:
    # A real HTTP server (the fake Hydra) behind an extra path prefix: every path is a 404.
    report = await run(kube, hydra.admin_url + "/not-hydra", hydra)
    health = [f for f in report.findings if f.check == "hydra-health"]
    assert [f.status for f in health] == [Severity.ERROR]
    assert "AUTHCHECK_HYDRA_ADMIN_URL" in health[0].title
    assert "404" in health[0].title
    assert not any("not ready" in f.title.lower() for f in report.findings)
    assert report.status is Severity.ERROR
    assert report.headline is not None
    assert not any(f.status is Severity.FAIL and f.check == "hydra-health" for f in report.findings)
