"""Reads hydra-maester's log lines the way an operator would, one classification per line.

The OAuth2Client status can claim Ready after a failed registration; the controller log is the
authority. Lines look like zap's console output:

    2020-05-04T12:26:31.468Z  DEBUG controller-runtime.controller Successfully Reconciled
        {"controller": "oauth2client", "request": "test-ns/test-client"}
    2024-03-01T10:00:00Z  ERROR controllers.OAuth2Client error processing client test-client/
        test-ns {"oauth2client": "test-ns/test-client", "error": "POST http://...:4445/clients
        returned unexpected status code: 404 ..."}

Kept pure (text in, records out) so the `client` and `hydra` checks and later `diagnose` share it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class Kind(enum.StrEnum):
    RECONCILED = "reconciled"
    ERROR_PROCESSING = "error_processing"
    ID_EXISTS = "id_exists"
    INVALID_SECRET = "invalid_secret"
    ENDPOINT_404 = "endpoint_404"
    OTHER_ERROR = "other_error"


@dataclass(frozen=True)
class LogLine:
    """One classified line; `text` is cut short and holds no secret (maester logs none)."""

    kind: Kind
    text: str
    timestamp: str | None
    pod: str = ""

    @property
    def is_error(self) -> bool:
        return self.kind is not Kind.RECONCILED


_TS = re.compile(r"^(\d{4}-\d{2}-\d{2}T[0-9:.]+Z?)")
_ENDPOINT_404 = re.compile(r"(returned unexpected status code|status code)\D{0,5}404", re.I)
_MAX_TEXT = 400


def mentions(line: str, namespace: str, name: str) -> bool:
    """Whether a line is about this client: maester writes `ns/name` and `name/ns` forms."""
    ns_name = f"{namespace}/{name}"
    name_ns = f"{name}/{namespace}"
    for form in (ns_name, name_ns):
        for match in re.finditer(re.escape(form), line):
            before = line[match.start() - 1] if match.start() else " "
            after = line[match.end()] if match.end() < len(line) else " "
            if not (before.isalnum() or before in "-_.") and not (
                after.isalnum() or after in "-_."
            ):
                return True
    return False


def classify(line: str) -> Kind | None:
    """The kind of a line, or None for lines that carry no verdict (startup, debug noise)."""
    lowered = line.lower()
    if "successfully reconciled" in lowered:
        return Kind.RECONCILED
    if "requested id already exists" in lowered or (
        "already exists" in lowered and ("client" in lowered)
    ):
        return Kind.ID_EXISTS
    if re.search(r"secret\b.*\bis invalid", lowered) or "invalid_secret" in lowered:
        return Kind.INVALID_SECRET
    if _ENDPOINT_404.search(line) and ("/clients" in line or "hydra" in lowered):
        return Kind.ENDPOINT_404
    if "error processing client" in lowered:
        return Kind.ERROR_PROCESSING
    if re.search(r"\bERROR\b", line) or '"level":"error"' in lowered:
        return Kind.OTHER_ERROR
    return None


def parse(
    text: str, *, namespace: str | None = None, name: str | None = None, pod: str = ""
) -> list[LogLine]:
    """Classified lines, optionally only those about client `namespace/name`, oldest first."""
    out: list[LogLine] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if namespace and name and not mentions(line, namespace, name):
            continue
        kind = classify(line)
        if kind is None:
            continue
        ts = _TS.match(line)
        out.append(LogLine(kind, line[:_MAX_TEXT], ts.group(1) if ts else None, pod))
    return out


def latest(lines: Iterable[LogLine]) -> LogLine | None:
    """The last line with a verdict: what the controller thinks now."""
    last: LogLine | None = None
    for line in lines:
        last = line
    return last


def clients_path_in(line: str) -> str | None:
    """The admin path maester called, read from the URL in its error (`/clients`...)."""
    match = re.search(r"https?://[^\s\"']+?(/admin/clients|/clients)\b", line)
    return match.group(1) if match else None


def endpoint_flag(pod: dict[str, Any], container: str) -> str | None:
    """The `--endpoint` argument of hydra-maester's container (`/clients` or `/admin/clients`):
    the path it registers clients at, which must match the Hydra version."""
    for c in (pod.get("spec") or {}).get("containers") or []:
        if not isinstance(c, dict) or c.get("name") != container:
            continue
        words = [str(w) for w in (c.get("command") or []) + (c.get("args") or [])]
        for i, w in enumerate(words):
            if w.startswith("--endpoint="):
                return w.split("=", 1)[1]
            if w == "--endpoint" and i + 1 < len(words):
                return words[i + 1]
    return None
