"""Running a corpus case: the real command through `parse` + `run_invocation`, the way the
worker runs it, then a scan of the JSON report and the rendered text for any secret.

Shared by every corpus file; token-side cases build their command text from a template so the
table stays readable (`{token_url}`, `{issuer}`, ...).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext
from handlers.core.grammar import parse
from handlers.core.model import Report
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings
from tests.fakes import leakguard
from tests.fakes.oidc import free_port
from tests.scenarios.corpus.conftest import Case


@dataclass(frozen=True)
class Row:
    """A corpus case and the command that plays it."""

    case: Case
    #: The command text, formatted with the peer's values (`str.format(**values)`).
    command: str
    #: Environment variables of the bot for this case (client secret or password by name).
    env: dict[str, str] = field(default_factory=dict)


def no_hydra_settings() -> Settings:
    """Settings whose Hydra is a closed port: a gateway case must not lean on Kyma defaults."""
    closed = f"http://127.0.0.1:{free_port()}"
    return settings(hydra_admin_url=closed, hydra_public_url=closed)


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"url_allowlist": ["127.0.0.1"], "timeout": 3, "kubeconfig": None}
    values.update(overrides)
    return Settings(**values)


async def run_scanned(
    text: str, st: Settings, secrets: list[str], clock: Callable[[], datetime] | None = None
) -> Report:
    """Runs `text` and fails if any secret (or a JWT's signature) shows in what people see.
    `clock` is the bot's clock when the case is about time (default: the real one)."""
    leakguard.register(*secrets)
    ctx = CheckContext(settings=st) if clock is None else CheckContext(settings=st, clock=clock)
    report = await run_invocation(parse(text, default_registry()), ctx)
    blob = json.dumps(report.to_dict()) + render(report)
    for secret in secrets:
        assert secret not in blob, "a secret leaked into the report"
        if secret.count(".") == 2:
            assert secret.rsplit(".", 1)[1] not in blob, "a JWT signature leaked"
    return report


def ids(rows: list[Row]) -> list[str]:
    return [r.case.name for r in rows]
