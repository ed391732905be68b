"""A job is a command someone typed plus where its answer must go."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Job:
    """The unit the queue carries; `text` may hold secrets, so it never goes into logs."""

    text: str
    origin: dict[str, str] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempts: int = 0
    created: float = field(default_factory=time.time)
    #: Secrets from a private form (a password); encrypted with the rest in Redis, never logged.
    private: dict[str, str] = field(default_factory=dict)

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.created

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "origin": self.origin,
            "attempts": self.attempts,
            "created": self.created,
            "private": self.private,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        return cls(
            text=str(data["text"]),
            origin={str(k): str(v) for k, v in dict(data.get("origin") or {}).items()},
            id=str(data["id"]),
            attempts=int(data.get("attempts", 0)),
            created=float(data.get("created", time.time())),
            private={str(k): str(v) for k, v in dict(data.get("private") or {}).items()},
        )
