"""A job is a command someone typed plus where its answer must go."""

from __future__ import annotations

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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "origin": self.origin, "attempts": self.attempts}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        return cls(
            text=str(data["text"]),
            origin={str(k): str(v) for k, v in dict(data.get("origin") or {}).items()},
            id=str(data["id"]),
            attempts=int(data.get("attempts", 0)),
        )
