"""A one-line, secret-free description of an invocation, for channel messages and audit logs."""

from __future__ import annotations

import shlex

from handlers.core import text_secrets
from handlers.core.check import ParamKind
from handlers.core.grammar import Invocation
from handlers.core.redact import fingerprint


def describe(inv: Invocation, max_length: int = 300) -> str:
    """`introspect sha256:1f2e… --client-id app` — secret values replaced by fingerprints."""
    words = [inv.command.name]
    for param in inv.command.params:
        value = inv.args.get(param.name)
        if value in (None, False, []):
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            shown = fingerprint(str(item)) if param.secret else text_secrets.mask(str(item))
            if param.kind is ParamKind.SWITCH:
                words.append(param.flag)
            elif param.kind is ParamKind.OPTION:
                words.extend([param.flag, shlex.quote(shown)])
            else:
                words.append(shown if param.secret else shlex.quote(shown))
    text = " ".join(words)
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def target(inv: Invocation) -> str | None:
    """The first non-secret positional value (a URL, `ns/name`), for the audit log."""
    for param in inv.command.params:
        if param.kind is ParamKind.POSITIONAL and not param.secret:
            value = inv.args.get(param.name)
            if isinstance(value, str):
                return text_secrets.mask(value)[:200]
    return None
