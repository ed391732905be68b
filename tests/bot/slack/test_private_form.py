"""A password for the password grant is asked for in a private form and travels beside the
command text, never inside it: not in the channel, not in Redis, not in a log. Real app over
signed HTTP, real Redis and worker, fake Slack, a UAA-like token endpoint."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from bot.health import start_site
from bot.service import Service
from bot.slack.app import MODAL_ID
from handlers.core.settings import Settings
from tests.bot.slack.test_app import SIGNING_SECRET, Running, bot_settings
from tests.fakes.gatekeepers import FakeUaa
from tests.fakes.redis_server import RedisServer, free_port
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import signed_interaction, view_submission_payload

CLIENT = "orders-client"
CLIENT_SECRET = "plainClientSecret123"
PASSWORD = "Corr3ct-Horse-Battery-Form"
USER = "jane@example.com"
CLIENT_KEY_VAR = "AUTHCHECK_CLIENT_SECRET_FORMTEST"


@pytest_asyncio.fixture
async def running(
    fake_slack: FakeSlack, redis_db: RedisServer, uaa: FakeUaa, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Running]:
    uaa.clients[CLIENT] = CLIENT_SECRET
    uaa.users[("sap.default", USER)] = PASSWORD
    monkeypatch.setenv(CLIENT_KEY_VAR, CLIENT_SECRET)
    monkeypatch.setenv(CLIENT_KEY_VAR + "_URL", uaa.base)  # where that secret belongs
    settings = Settings(url_allowlist=["127.0.0.1"], kubeconfig=None, timeout=3)
    service = Service(settings, bot_settings(fake_slack, redis_db))
    bot = service.bot(service.intake())
    port = free_port()
    runner = await start_site(service.web_app(bot), port, host="127.0.0.1")
    worker = asyncio.create_task(service.worker.run_forever())
    async with aiohttp.ClientSession() as http:
        yield Running(service, f"http://127.0.0.1:{port}/slack/events", fake_slack, redis_db, http)
    service.worker.stop()
    await asyncio.wait_for(worker, timeout=30)
    await runner.cleanup()
    await service.close()


async def test_password_grant_opens_a_private_form_and_the_password_stays_out_of_chat(
    running: Running, uaa: FakeUaa
) -> None:
    command = (
        f"token {uaa.base}/oauth/token --grant password --client-id {CLIENT} "
        f"--client-secret-env {CLIENT_KEY_VAR} --username {USER}"
    )
    status, body = await running.slash(command)
    assert (status, body) == (200, "")
    await running.fake.wait_for(lambda _: running.fake.calls_of("views.open"), timeout=10)
    view = running.fake.calls_of("views.open")[0].payload["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["password"]
    assert "--password-form" in json.loads(view["private_metadata"])["text"]

    submission = view_submission_payload(
        MODAL_ID, {"password": {"value": PASSWORD}}, private_metadata=view["private_metadata"]
    )
    assert (await running.post(*signed_interaction(SIGNING_SECRET, submission)))[0] == 200
    await running.fake.wait_for(lambda _: running.final_replies(), timeout=15)
    answer = json.dumps(running.final_replies()[0])
    assert "private Slack form" in answer  # where the password came from, never what it is
    assert any(b"grant_type=password" in sent for sent in uaa.bodies)
    assert any(PASSWORD.encode() in sent for sent in uaa.bodies)  # it did reach UAA
    assert PASSWORD not in running.fake.dump()
    await asyncio.sleep(0.3)
    assert PASSWORD.encode() not in running.redis.all_bytes()


async def test_the_form_switch_typed_in_chat_brings_no_password(
    running: Running, uaa: FakeUaa
) -> None:
    command = (
        f"token {uaa.base}/oauth/token --grant password --client-id {CLIENT} "
        f"--client-secret-env {CLIENT_KEY_VAR} --username {USER} --password-form"
    )
    assert (await running.slash(command))[0] == 200
    await running.fake.wait_for(lambda _: running.final_replies(), timeout=15)
    answer = json.dumps(running.final_replies()[0])
    assert "No password came with the private form" in answer
    assert not any(b"grant_type=password" in sent for sent in uaa.bodies)
