"""A token pasted into a channel that introspection finds active gets a revoke warning; one sent
privately (slash command, modal) does not. Real oidc-provider, real worker path."""

from __future__ import annotations

import json

from bot.jobs.job import Job
from bot.jobs.queue import InProcessQueue
from bot.jobs.sinks import CollectingSink
from bot.jobs.worker import Worker
from bot.slack.exposure import flag_exposed_token
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.settings import Settings
from tests.fakes.oidc import OidcServer
from tests.handlers.commands.test_introspect import INTROSPECTOR


async def answer(oidc_server: OidcServer, token: str, visible: bool) -> dict[str, object]:
    settings = Settings(
        introspect_url=oidc_server.introspection_url,
        introspect_client_id=INTROSPECTOR[0],
        introspect_client_secret=INTROSPECTOR[1],
        url_allowlist=["127.0.0.1"],
        kubeconfig=None,
    )
    queue, sink = InProcessQueue(), CollectingSink()
    worker = Worker(
        queue,
        default_registry(),
        lambda: CheckContext(settings=settings),
        sink,
        hooks=(flag_exposed_token,),
    )
    job = Job(text=f"introspect {token}", origin={"visible": "1" if visible else ""})
    await queue.put(job)
    report = await worker.run_once()
    assert report is not None
    return report.to_dict()


async def test_active_token_pasted_in_a_channel_gets_a_revoke_warning(
    oidc_server: OidcServer,
) -> None:
    token = oidc_server.token("svc-plus", scope="read")
    report = await answer(oidc_server, token, visible=True)
    exposure = [f for f in report["findings"] if f["check"] == "exposure"]  # type: ignore[index]
    assert len(exposure) == 1
    assert "revoke" in exposure[0]["remedy"].lower()
    assert token not in json.dumps(report)


async def test_token_sent_privately_gets_no_exposure_warning(oidc_server: OidcServer) -> None:
    token = oidc_server.token("svc-plus", scope="read")
    report = await answer(oidc_server, token, visible=False)
    assert not [f for f in report["findings"] if f["check"] == "exposure"]  # type: ignore[index]


async def test_revoked_token_pasted_in_a_channel_needs_no_warning(oidc_server: OidcServer) -> None:
    token = oidc_server.token("svc-plus", scope="read")
    oidc_server.revoke(token)
    report = await answer(oidc_server, token, visible=True)
    assert not [f for f in report["findings"] if f["check"] == "exposure"]  # type: ignore[index]
