"""`help`: the registry describing itself, so help cannot drift from what the parser accepts."""

from __future__ import annotations

import pytest

from handlers.commands import help as help_command
from handlers.commands.registry import default_registry
from handlers.core.check import CheckContext, UsageError
from handlers.core.grammar import parse
from handlers.core.help import command_help
from handlers.core.model import Report, Severity
from handlers.core.registry import Registry
from handlers.core.runner import run_invocation
from handlers.core.settings import Settings


async def run(text: str, registry: Registry) -> Report:
    inv = parse(text, registry)
    return await run_invocation(inv, CheckContext(settings=Settings(), registry=registry))


async def test_overview_lists_every_registered_command_with_its_summary() -> None:
    registry = default_registry()
    [finding] = (await run("help", registry)).findings
    assert finding.status is Severity.INFO
    assert finding.title == "authcheck commands"
    listed = [line.split()[0] for line in finding.detail.split("\n\n")[0].splitlines()]
    assert listed == registry.names()
    for command in registry:
        assert command.summary in finding.detail


async def test_help_for_one_command_is_its_generated_help() -> None:
    registry = default_registry()
    [finding] = (await run("help explain", registry)).findings
    explain = registry.get("explain")
    assert explain is not None
    assert finding.title == f"explain — {explain.summary}"
    assert finding.detail == command_help(explain)
    assert finding.detail.startswith("usage: explain <401|403|error-code>")


async def test_help_accepts_any_case() -> None:
    [finding] = (await run("HELP EXPLAIN", default_registry())).findings
    assert finding.title.startswith("explain — ")


def test_help_for_an_unknown_command_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError) as info:
        parse("help nonsense", default_registry())
    assert info.value.reason.startswith("<command> must be one of help, ")
    assert "explain" in info.value.reason


async def test_help_only_offers_what_its_registry_holds() -> None:
    registry = Registry([help_command.build(["help"])])
    [finding] = (await run("help", registry)).findings
    assert finding.detail.splitlines()[0].startswith("help  ")
    with pytest.raises(UsageError):
        parse("help explain", registry)


async def test_help_without_a_registry_in_context_is_an_error_not_a_crash() -> None:
    registry = default_registry()
    inv = parse("help", registry)
    report = await run_invocation(inv, CheckContext(settings=Settings()))
    assert report.status is Severity.ERROR
    assert report.findings[0].title == "No command registry in this context"
