"""`namespace/name` references typed by users: parsed, and checked before a command runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def parse_ref(text: str | None, what: str = "object") -> tuple[str, str]:
    """`namespace/name` → (namespace, name); ValueError with a one-line reason otherwise."""
    value = (text or "").strip()
    namespace, sep, name = value.partition("/")
    if not sep or not namespace or not name or "/" in name:
        raise ValueError(f"expected <namespace>/<name> of the {what}, got {value!r}")
    return namespace, name


def validate_ref(param: str, what: str) -> Callable[[Any], None]:
    """A `Command.validate` that checks a `namespace/name` parameter."""

    def check(args: Any) -> None:
        parse_ref(args.text(param), what)

    return check
