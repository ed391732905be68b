"""The explicit list of commands: nothing is discovered by import side effects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from handlers.core.check import Command


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
