"""Findings about the text as it was pasted, read before any clean-up.

The grammar forgives what chat and copy-paste do to text (no-break spaces, zero-width characters,
Slack's curly quotes and em-dashes) so that commands still parse. The server the responder is
debugging forgives none of it: a no-break space or a zero-width joiner inside a header, a header
line ending in a carriage return, or two `Authorization` lines are themselves reasons for a 401.
So the raw text is linted first and what was cleaned up is said, never silently fixed.

Only positions, counts and character names are reported: the text may be a token.
"""

from __future__ import annotations

import re

from handlers.core.model import Finding, Severity, plural

CHECK = "input"

#: Characters that look like a space but are not one to an HTTP parser.
NO_BREAK_SPACES = {"\u00a0": "NO-BREAK SPACE", "\u202f": "NARROW NO-BREAK SPACE"}
NO_BREAK_SPACES["\u2007"] = "FIGURE SPACE"
#: Characters that take no room at all; a token containing one is a different token.
ZERO_WIDTH = {
    "\u200b": "ZERO WIDTH SPACE",
    "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER",
    "\u2060": "WORD JOINER",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE (BOM)",
}
_AUTHORIZATION_LINE = re.compile(r"(?i)(?<![-\w])authorization[\"']?[ \t]*:[ \t]*([^\r\n\"']*)")


def _where(text: str, chars: dict[str, str]) -> tuple[list[int], list[str]]:
    positions = [i for i, c in enumerate(text) if c in chars]
    names = sorted({chars[text[i]] for i in positions})
    return positions, names


def _positions(positions: list[int]) -> str:
    shown = ", ".join(str(p) for p in positions[:5])
    return shown + (f" and {len(positions) - 5} more" if len(positions) > 5 else "")


def lint(raw: str) -> list[Finding]:
    """What is wrong with the pasted text itself, before the grammar cleans it up."""
    findings: list[Finding] = []
    positions, names = _where(raw, NO_BREAK_SPACES)
    if positions:
        findings.append(
            Finding(
                CHECK,
                Severity.WARN,
                f"The text contains {plural(len(positions), 'no-break space')}",
                f"{', '.join(names)} at position {_positions(positions)}. authcheck read them as "
                "ordinary spaces; an HTTP server does not, so a header copied from the same "
                "place (`Bearer<NBSP>eyJ…`) has no valid scheme separator.",
                "Retype the spaces in the request that failed (or copy it from a plain-text "
                "source), then retry it.",
                {"positions": positions[:20], "characters": names},
            )
        )
    positions, names = _where(raw, ZERO_WIDTH)
    if positions:
        findings.append(
            Finding(
                CHECK,
                Severity.WARN,
                f"The text contains {plural(len(positions), 'invisible zero-width character')}",
                f"{', '.join(names)} at position {_positions(positions)}. authcheck removed "
                "them; inside a token or header they make it a different value, which the "
                "server rejects.",
                "Copy the token again from its source (not from a chat message or a rich-text "
                "document), or remove the invisible characters.",
                {"positions": positions[:20], "characters": names},
            )
        )
    findings.extend(_trailing_cr(raw))
    findings.extend(_authorization_lines(raw))
    return findings


def _trailing_cr(raw: str) -> list[Finding]:
    """A carriage return on the last line only: a value that carried its `\\r` along."""
    findings: list[Finding] = []
    lines = raw.rstrip("\n").split("\n")
    # A CR on every line is an HTTP dump's own CRLF framing; a CR on the last line alone is a
    # value that carried it along.
    if lines[-1].endswith("\r") and not all(line.endswith("\r") for line in lines[:-1] or [""]):
        findings.append(
            Finding(
                CHECK,
                Severity.WARN,
                "The text ends with a carriage return (CR)",
                "A value read from a Windows file or an HTTP dump keeps its `\\r`; sent as part "
                "of a header or token it makes the value invalid (or the request malformed).",
                "Strip the trailing `\\r` where the value is read (e.g. `tr -d '\\r'`).",
            )
        )
    return findings


def _authorization_lines(raw: str) -> list[Finding]:
    """Two or more `Authorization` lines: ambiguous to servers when their values differ."""
    findings: list[Finding] = []
    values = [m.group(1).strip() for m in _AUTHORIZATION_LINE.finditer(raw)]
    if len(values) >= 2:
        differ = len(set(values)) > 1
        findings.append(
            Finding(
                CHECK,
                Severity.WARN if differ else Severity.INFO,
                f"The text has {len(values)} `Authorization` lines"
                + (" with different values" if differ else " with the same value"),
                "A request with two Authorization headers is ambiguous: servers and gateways "
                "take the first, the last, or reject it."
                if differ
                else "Same value each time (for example a curl command and its `-v` output).",
                "Send exactly one Authorization header; check which one your client adds."
                if differ
                else "",
                {"count": len(values)},
            )
        )
    return findings
