"""Help generated from the registry, so it cannot drift from what the parser accepts."""

from __future__ import annotations

from handlers.core.check import Command, ParamKind
from handlers.core.registry import Registry


def overview(registry: Registry) -> str:
    width = max((len(c.name) for c in registry), default=0)
    lines = [f"{c.name.ljust(width)}  {c.summary}" for c in registry]
    return "\n".join(lines)


def command_help(command: Command) -> str:
    lines = [f"usage: {command.usage()}", "", command.summary]
    if command.params:
        lines.append("")
        for p in command.params:
            label = (
                p.usage()
                if p.kind in (ParamKind.POSITIONAL, ParamKind.REST)
                else (f"{p.flag}" + ("" if p.kind is ParamKind.SWITCH else f" {p.shown}"))
            )
            extras = []
            if p.required:
                extras.append("required")
            if p.repeatable:
                extras.append("repeatable")
            if p.choices:
                extras.append("one of " + ", ".join(p.choices))
            if p.secret:
                extras.append("secret: never echoed, shown as a fingerprint")
            suffix = f" ({'; '.join(extras)})" if extras else ""
            lines.append(f"  {label}: {p.help}{suffix}")
    if command.examples:
        lines.append("")
        lines.append("examples:")
        lines.extend(f"  {e}" for e in command.examples)
    return "\n".join(lines)
