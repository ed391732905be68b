"""The check protocol and the context checks receive their clients through.

A command is what a user types (`introspect ...`); it declares its parameters, and the grammar
and the help text are derived from that declaration so they cannot drift from the code. A command
runs one or more checks concurrently; each check returns findings and never talks to Slack.
Clients (HTTP, clock, Kubernetes) come in through `CheckContext`, so tests hand in real servers
instead of patching.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from handlers.core import text_secrets
from handlers.core.model import Finding
from handlers.core.redact import Redactor

if TYPE_CHECKING:
    # Annotations only: pydantic-settings and httpx are imported when a check first runs, so
    # declaring commands (help, the parser) stays quick to start (`bench/startup.py`).
    import httpx

    from handlers.core.registry import Registry
    from handlers.core.settings import Settings
    from handlers.kube import KubeAccess


class ParamKind(enum.Enum):
    POSITIONAL = "positional"  # one shell word, in declaration order
    REST = "rest"  # everything after the command word, raw (a header line, a pasted curl)
    OPTION = "option"  # --name VALUE or --name=VALUE
    SWITCH = "switch"  # --name, no value


@dataclass(frozen=True)
class Param:
    """One argument a command accepts; the grammar and the help text are built from these."""

    name: str
    help: str
    kind: ParamKind = ParamKind.POSITIONAL
    required: bool = False
    secret: bool = False
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    repeatable: bool = False
    max_length: int = 8192

    @property
    def flag(self) -> str:
        return f"--{self.name}"

    @property
    def shown(self) -> str:
        return self.metavar or self.name.upper().replace("-", "_")

    def usage(self) -> str:
        if self.kind in (ParamKind.POSITIONAL, ParamKind.REST):
            word = f"<{self.metavar or self.name}>"
            return word if self.required else f"[{word}]"
        if self.kind is ParamKind.SWITCH:
            return f"[{self.flag}]"
        return f"[{self.flag} {self.shown}]"


class UsageError(ValueError):
    """Bad input: carries a one-line reason and the usage to show with it."""

    def __init__(self, reason: str, usage: str) -> None:
        # A reason may quote what was typed: a URL with `?access_token=` or `user:pass@` in it
        # is shown with those values fingerprinted, like everywhere else.
        reason = text_secrets.mask(reason)
        super().__init__(reason)
        self.reason = reason
        self.usage = usage

    def one_line(self) -> str:
        return f"{self.reason} — usage: {self.usage}"


class Arguments(Mapping[str, Any]):
    """Parsed values by parameter name: str for single values, list for repeatable, bool for
    switches, None when not given."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def text(self, key: str) -> str | None:
        value = self._values.get(key)
        return value if isinstance(value, str) else None

    def many(self, key: str) -> list[str]:
        value = self._values.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [str(value)]

    def flag(self, key: str) -> bool:
        return bool(self._values.get(key))


class Check(Protocol):
    """A unit that runs concurrently with its siblings under its own timeout."""

    @property
    def name(self) -> str: ...

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]: ...


@dataclass(frozen=True)
class PrivateField:
    """A secret a command may take from a private form (the Slack modal) instead of chat text.

    The command declares a SWITCH param (`switch`) that says "the value came from the form"; the
    bot adds that switch when it opens the form and hands the value to the check through
    `CheckContext.private[name]`, so the value never becomes part of the command text.
    """

    name: str
    label: str
    switch: str


@dataclass(frozen=True)
class Command:
    """What a user types after `/authcheck`."""

    name: str
    summary: str
    params: tuple[Param, ...]
    checks: tuple[Check, ...]
    examples: tuple[str, ...] = ()
    #: Extra validation across parameters; raises UsageError-free ValueError with a reason.
    validate: Callable[[Arguments], None] | None = None
    #: Secrets the bot may ask for in a private form (see PrivateField).
    private_fields: tuple[PrivateField, ...] = ()

    def usage(self) -> str:
        return " ".join([self.name, *(p.usage() for p in self.params)])

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class CheckContext:
    """Everything a check may use to reach the outside world, injected so tests use real fakes."""

    settings: Settings
    redactor: Redactor = field(default_factory=Redactor)
    clock: Callable[[], datetime] = utcnow
    registry: Registry | None = None
    transport: httpx.AsyncBaseTransport | None = None
    #: The job's Kubernetes client, built on first use by `handlers.kube.access` (tests may set it).
    kube: KubeAccess | None = None
    #: Values from the private form, by PrivateField name; never part of the command text.
    private: dict[str, str] = field(default_factory=dict)
    #: DNS for user-typed hosts, `(host, port) -> addresses`; tests play a lying DNS server.
    resolver: Callable[[str, int], Awaitable[list[str]]] | None = None

    def secret_values(self, args: Arguments, params: Sequence[Param]) -> None:
        """Registers every value of a secret parameter with the redactor, and the credentials
        hidden in the others (a URL's `?access_token=`, `user:pass@`, a pasted `Bearer …`)."""
        for p in params:
            for value in args.many(p.name):
                if p.secret:
                    self.redactor.add(value)
                for hidden in text_secrets.find(value):
                    self.redactor.add(hidden)
