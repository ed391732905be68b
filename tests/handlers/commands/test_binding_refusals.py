"""`binding` reads a refused token request the way `token` does (handlers/oauth/refusals.py):
the binding's credentials are blamed only when client authentication can explain the answer.
Played against the real Glewlwyd, whose 404 carries a JSON `error` a naive reader takes for a
refusal."""

from __future__ import annotations

from handlers.commands.registry import default_registry
from handlers.core.grammar import parse
from handlers.core.model import Severity
from handlers.core.runner import run_invocation
from tests.fakes.glewlwyd import GlewlwydServer
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

BINDING_SECRET = "Bind+ing/Secret=77"


async def test_no_token_endpoint_at_the_binding_url_is_an_error_not_bad_credentials(
    kube: FakeKube, glewlwyd_server: GlewlwydServer
) -> None:
    # `<url>/oauth/token` does not exist on Glewlwyd: 404 {"error":"resource not found"}.
    kube.add_secret(
        "apps",
        "xsuaa",
        {"clientid": "glw-plain", "clientsecret": BINDING_SECRET, "url": glewlwyd_server.issuer},
    )
    report = await run_invocation(parse("binding apps/xsuaa", default_registry()), kube.context())
    titles = [(f.status, f.title) for f in report.findings]
    assert (Severity.ERROR, "XSUAA's token endpoint did not answer like one") in titles
    assert not any(t == "XSUAA refused the binding's credentials" for _, t in titles)
