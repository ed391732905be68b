"""App Home: what the bot can reach and the help, for someone allowed in; only the refusal
for anyone else (endpoints and reachability would be a map of the cluster)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.intake import Intake
from bot.slack.views import home_view, refused_home_view

#: What App Home shows under "What I can reach" (bot/service.py: queue, cluster, Hydra).
StatusProvider = Callable[[], Awaitable[dict[str, str]]]


class AppHome:
    def __init__(self, intake: Intake, client: AsyncWebClient, status: StatusProvider) -> None:
        self.intake = intake
        self.client = client
        self.status = status

    async def on_home(self, event: dict[str, Any]) -> None:
        user = str(event.get("user", ""))
        refused = await self.intake.permitted(user, None)
        if refused is not None:
            await self.client.views_publish(user_id=user, view=refused_home_view(refused))
            return
        status = await self.status()
        view = home_view(status, self.intake.registry)
        await self.client.views_publish(user_id=user, view=view)
