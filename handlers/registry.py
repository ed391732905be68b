"""The explicit list of commands: nothing is discovered by import side effects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from handlers.base import Command


class Registry:
    """Commands by name, in the order help shows them."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self._commands: dict[str, Command] = {}
        for command in commands:
            if command.name in self._commands:
                raise ValueError(f"command {command.name!r} registered twice")
            self._commands[command.name] = command

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def names(self) -> list[str]:
        return list(self._commands)

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())


def default_registry() -> Registry:
    """Every command the bot offers. Add new commands here, in the order help should list them."""
    from handlers.checks import (
        apirule,
        binding,
        client,
        decode,
        explain,
        header,
        hydra,
        introspect,
        probe,
        token,
    )
    from handlers.checks import diagnose as diagnose_command
    from handlers.checks import help as help_command

    commands: list[Command] = [
        # Add each new command here, in the order help lists it.
        decode.build(),
        header.build(),
        introspect.build(),
        token.build(),
        probe.build(),
        client.build(),
        apirule.build(),
        binding.build(),
        hydra.build(),
        diagnose_command.build(),
        explain.build(),  # last: help lists it after the checks
    ]
    names = ["help", *(c.name for c in commands)]
    return Registry([help_command.build(names), *commands])
