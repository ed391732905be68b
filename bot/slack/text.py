"""Text as Slack delivers it, turned back into what the person typed.

Slack does not hand over what was typed: in mentions and messages links arrive as `<url>` or
`<url|label>`, people, channels and groups as `<@U123>`, `<#C123|name>`, `<!subteam^S123>`,
`<!here>`; `&`, `<` and `>` arrive as `&amp;`, `&lt;`, `&gt;`; people wrap commands and tokens
in backticks or code blocks; and events also carry the same message as rich-text `blocks`.
The grammar (handlers/grammar.py) knows none of this, so every Slack surface (slash command,
mention, message shortcut) passes its text through `from_slack` first — one place, so the
README's `@authcheck diagnose https://…` works the same wherever it is typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Anything Slack wraps in angle brackets: links, mentions, special commands. Literal `<` and
#: `>` never occur in delivered text (they arrive as `&lt;` / `&gt;`), so this is unambiguous.
_MARKUP = re.compile(r"<([^<>\n]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_FENCE = re.compile(r"```")
_INLINE_CODE = re.compile(r"`([^`\n]*)`")


def _markup(match: re.Match[str]) -> str:
    """One `<…>`: a mention or special command is dropped; a link becomes what it points at."""
    inner = match.group(1)
    if not inner or inner[0] in "@#!":
        return ""
    url, _, label = inner.partition("|")
    return _link(url, label)


def _link(url: str, label: str) -> str:
    """A link is what it points at (a typed `orders.example.com` arrives auto-linked as
    `<http://orders.example.com|orders.example.com>` and is taken as that URL, like a click
    would); only an auto-linked e-mail address goes back to the address that was typed."""
    if label and url == "mailto:" + label:
        return label
    return url


def unwrap_text(text: str) -> str:
    """Slack's `text` field (mrkdwn) → plain text. Order matters: markup first (it may contain
    escaped characters in labels), entities last and in one pass so `&amp;lt;` stays `&lt;`."""
    text = _FENCE.sub("\n", text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = _MARKUP.sub(_markup, text)
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def _element_text(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text") or "")
    if kind == "link":
        return _link(str(element.get("url") or ""), str(element.get("text") or ""))
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    # user, usergroup, channel, broadcast, team, date, color: not part of a command.
    return ""


def _section_text(section: dict[str, Any]) -> str:
    kind = section.get("type")
    elements = section.get("elements")
    if not isinstance(elements, list):
        return ""
    if kind == "rich_text_list":
        return "\n".join(_section_text(e) for e in elements if isinstance(e, dict))
    return "".join(_element_text(e) for e in elements if isinstance(e, dict))


def blocks_text(blocks: Iterable[Any] | None) -> str | None:
    """The plain text of the message's rich-text blocks, or None when it has none. Rich text is
    unescaped and its links explicit, so it is the better source when Slack sends it."""
    parts: list[str] = []
    found = False
    for block in blocks or ():
        if not isinstance(block, dict) or block.get("type") != "rich_text":
            continue
        found = True
        for section in block.get("elements") or ():
            if isinstance(section, dict):
                parts.append(_section_text(section))
    return "\n".join(parts) if found else None


def from_slack(text: str | None, blocks: Iterable[Any] | None = None) -> str:
    """What the person typed, from an event's or a payload's `text` and optional `blocks`:
    mentions (the bot's own included) dropped, links unwrapped, escapes undone, code markers
    removed, surrounding whitespace stripped."""
    rich = blocks_text(blocks)
    if rich is not None and rich.strip():
        # Backticks typed inside rich text are literal `text`; code styling carries no markers.
        return _INLINE_CODE.sub(r"\1", _FENCE.sub("\n", rich)).strip()
    return unwrap_text(text or "").strip()
