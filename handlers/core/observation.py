"""What a gatherer saw, or why it could not tell: one shape for every look at the outside world.

An HTTP call, a Kubernetes read and a diagnosis step each either saw something (`Seen`) or could
not find out (`Unknown`, with the reason and what would decide it). Judges turn `Unknown` into an
`error` finding, never into a verdict: "wrong" and "could not tell" cannot be confused, because
they are different types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Seen(Generic[T]):
    """The thing was observed; `value` is what came back."""

    value: T


@dataclass(frozen=True)
class Unknown:
    """Could not find out: `reason` names what was tried and what went wrong (secret-free);
    `decides` says what would settle it (a setting, a permission, a reachable URL)."""

    reason: str
    decides: str = ""


Observation = Seen[T] | Unknown
