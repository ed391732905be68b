"""`help [command]`: the registry describing itself."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.check import Arguments, CheckContext, Command, Param
from handlers.core.help import command_help, overview
from handlers.core.model import Finding, Severity


@dataclass(frozen=True)
class HelpCheck:
    name: str = "help"

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        registry = ctx.registry
        if registry is None:
            return [Finding(self.name, Severity.ERROR, "No command registry in this context")]
        topic = args.text("command")
        command = registry.get(topic) if topic else None
        if command is not None:
            # Titled by the command, not "Help: …": the CLI and Slack show help as plain text;
            # this finding is what `--json` and the worker path carry.
            title = f"{command.name} — {command.summary}"
            return [Finding(self.name, Severity.INFO, title, command_help(command))]
        return [
            Finding(
                self.name,
                Severity.INFO,
                "authcheck commands",
                overview(registry) + "\n\n`help <command>` shows its arguments and examples.",
            )
        ]


def build(command_names: list[str]) -> Command:
    """Built with the registry's names so `help nonsense` is a usage error, like any bad choice."""
    return Command(
        name="help",
        summary="List the commands, or show one command's arguments and examples",
        params=(
            Param(
                "command",
                "the command to explain",
                metavar="command",
                choices=tuple(command_names),
            ),
        ),
        checks=(HelpCheck(),),
        examples=("help", "help introspect"),
    )
