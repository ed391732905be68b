"""The commands the bot offers, in the order help lists them: one line each.

Adding a command is one module in this package and one line below; help, the grammar, the CLI,
Block Kit and the private form follow from its declaration.
"""

from __future__ import annotations

from handlers.core.check import Command
from handlers.core.registry import Registry


def default_registry() -> Registry:
    """Every command the bot offers. Add new commands here, in the order help should list them."""
    from handlers.commands import (
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
    from handlers.commands import diagnose as diagnose_command
    from handlers.commands import help as help_command

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
