"""From `authcheck run -- …` argv to the text a chat command would have carried.

Two things make a terminal differ from Slack. The shell has already split the words and removed
the quotes, so `--token "Bearer eyJ…"` arrives as one word with a space in it: joined back with
plain spaces it would become two words and a usage error. And people paste what they copied from
the thread, prefix and all (`/authcheck probe …`, `@authcheck probe …`). Both are undone here,
so what works in the terminal works in the channel and the other way round.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

#: What people paste in front of a command copied from Slack.
PREFIXES = ("/authcheck", "@authcheck")
#: The CLI-only command that runs the message shortcut's parser on pasted text.
PASTE = "paste"
PASTE_USAGE = "authcheck run -- paste [<text> | -]   (no text, or `-`: read standard input)"


def strip_prefix(words: Sequence[str]) -> list[str]:
    """Drops `--`, then a leading `/authcheck` or `@authcheck` (a word of its own, or the start
    of a single word holding the whole command)."""
    out = list(words)
    if out and out[0] == "--":
        out = out[1:]
    if not out:
        return out
    first = out[0]
    for prefix in PREFIXES:
        if first.lower() == prefix:
            return out[1:]
        head, sep, rest = first.partition(" ")
        if sep and head.lower() == prefix:
            return [rest.lstrip(), *out[1:]]
    return out


def _needs_quotes(word: str) -> bool:
    return word == "" or any(c.isspace() or c in "'\"\\" for c in word)


def command_text(words: Sequence[str], raw_rest: bool) -> str:
    """The chat text for these argv words.

    One word is taken as the whole command text (`authcheck run -- "probe https://x"`). A command
    whose argument is raw text (`header`, `decode`, `explain`) gets its words joined with spaces,
    as typed. Otherwise each word that the shell had quoted is quoted again, so the grammar's own
    shell-style split gives back exactly these words.
    """
    if len(words) <= 1:
        return words[0] if words else ""
    if raw_rest:
        return " ".join(words)
    return " ".join(shlex.quote(w) if _needs_quotes(w) else w for w in words)
