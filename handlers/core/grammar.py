"""Turns the text typed after `/authcheck` into a command and its arguments.

Slack rewrites what people type: straight quotes become curly, `--` becomes an em-dash. We undo
that before shell-style splitting, and we derive every rule from the command's declared params.
Every rejection is a `UsageError` with a one-line reason and the usage to show with it.
"""

from __future__ import annotations

import difflib
import re
import shlex
import unicodedata
from dataclasses import dataclass
from typing import Any

from handlers.core.check import Arguments, Command, Param, ParamKind, UsageError
from handlers.core.input_lint import NO_BREAK_SPACES, ZERO_WIDTH, lint
from handlers.core.model import Finding
from handlers.core.redact import Redactor, fingerprint
from handlers.core.registry import Registry

#: Slack caps slash-command text at about 4,000 characters; pasted logs go through the shortcut.
MAX_TEXT = 12_000
#: Without a surface prefix, like every command's usage: Slack shows it after `/authcheck `, the
#: CLI after `authcheck run -- `, so what is printed runs where it is printed.
GENERAL_USAGE = "<command> [arguments] — `help` lists the commands"

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "‚": "'"})
_DASH_FLAG = re.compile(r"(?<!\S)[\u2014\u2013\u2212](?=[A-Za-z])")
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
_INVISIBLE = str.maketrans(
    {**dict.fromkeys(NO_BREAK_SPACES, " "), **dict.fromkeys(ZERO_WIDTH, None)}
)


@dataclass(frozen=True)
class Invocation:
    command: Command
    args: Arguments
    text: str
    #: Findings about the raw text (`handlers.core.input_lint`), made before `normalise` cleaned it.
    notes: tuple[Finding, ...] = ()


def normalise(text: str) -> str:
    """Undo Slack's typography: curly quotes, em-dash flags, no-break and zero-width spaces.

    What is cleaned here is first reported by `input_lint.lint` on the raw text."""
    text = text.translate(_QUOTES).translate(_INVISIBLE)
    return _DASH_FLAG.sub("--", text)


def _reject_controls(text: str) -> None:
    for index, char in enumerate(text):
        if char in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise UsageError(
                f"input contains a control character (U+{ord(char):04X}) at position {index}",
                GENERAL_USAGE,
            )


def split_words(text: str, usage: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError as exc:  # "No closing quotation", "No escaped character"
        raise UsageError(f"cannot split the arguments: {str(exc).lower()}", usage) from None


def parse(text: str, registry: Registry) -> Invocation:
    if len(text) > MAX_TEXT:
        raise UsageError(
            f"input is too long ({len(text):,} characters; the limit is {MAX_TEXT:,})",
            GENERAL_USAGE,
        )
    _reject_controls(text)
    notes = tuple(lint(text))  # before any clean-up: what was pasted is what the server saw
    text = normalise(text).strip()
    if not text:
        raise UsageError("no command given", GENERAL_USAGE)
    # Any whitespace ends the command word: a tab or a line break after it is as good as a space.
    name, *tail = text.split(None, 1)
    rest = tail[0] if tail else ""
    command = registry.get(name.lower())
    if command is None:
        suggestion = difflib.get_close_matches(name.lower(), registry.names(), n=1)
        hint = f" (did you mean `{suggestion[0]}`?)" if suggestion else ""
        raise UsageError(f"unknown command `{_short(name)}`{hint}", GENERAL_USAGE)
    args = parse_arguments(command, rest.strip())
    return Invocation(command=command, args=args, text=text, notes=notes)


def _unknown_option(command: Command, flag: str, known: list[str]) -> UsageError:
    """Names the option (never a value) and, for a near miss, the one that was meant."""
    names = {k.removeprefix("--"): k for k in known}
    near = difflib.get_close_matches(flag.lower().removeprefix("--"), names, n=1, cutoff=0.75)
    hint = f" (did you mean `{names[near[0]]}`?)" if near else ""
    if not known:
        hint = f" (`{command.name}` takes no options)"
    reason = f"unknown option `{_short(flag)}` for `{command.name}`{hint}"
    return UsageError(reason, command.usage())


#: `--word` or `--word=value` standing alone in a raw (REST) argument.
_OPTION_WORD = re.compile(r"--[A-Za-z][A-Za-z0-9-]*(?==|$)")
#: A pasted curl command legitimately carries its own options (`--header`, `-u`).
_CURL_WORD = re.compile(r"(?i)(?<![\w/-])curl(?![\w-])")


def _option_in_rest(command: Command, param: Param, rest: str) -> None:
    """A raw secret argument (a token, a header) never contains `--flag`: one found there was
    meant as an option, so it is a usage error naming it rather than part of the token."""
    if not param.secret or _CURL_WORD.search(rest):
        return
    for word in rest.split():
        match = _OPTION_WORD.match(word)
        if match:
            raise _unknown_option(command, match.group(0), [])


def _take_rest(command: Command, rest: str) -> dict[str, Any]:
    param = next(p for p in command.params if p.kind is ParamKind.REST)
    usage = command.usage()
    _option_in_rest(command, param, rest)
    if not rest:
        if param.required:
            raise UsageError(f"missing <{param.metavar or param.name}>", usage)
        return {param.name: None}
    if len(rest) > param.max_length:
        raise UsageError(
            f"<{param.metavar or param.name}> is too long ({len(rest):,} characters; "
            f"the limit is {param.max_length:,})",
            usage,
        )
    return {param.name: rest}


def parse_arguments(command: Command, rest: str) -> Arguments:
    usage = command.usage()
    if any(p.kind is ParamKind.REST for p in command.params):
        taken = _take_rest(command, rest)
        for p in command.params:
            taken.setdefault(p.name, None)
        return _validated(command, taken)

    words = split_words(rest, usage)
    positionals = [p for p in command.params if p.kind is ParamKind.POSITIONAL]
    by_flag = {p.flag: p for p in command.params if p.kind in (ParamKind.OPTION, ParamKind.SWITCH)}
    values: dict[str, Any] = {p.name: ([] if p.repeatable else None) for p in command.params}
    given_positionals: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word.startswith("--") and len(word) > 2:
            flag, eq, inline = word.partition("=")
            param = by_flag.get(flag.lower())
            if param is None:
                raise _unknown_option(command, flag, list(by_flag))
            if param.kind is ParamKind.SWITCH:
                if eq:
                    raise UsageError(f"`{param.flag}` takes no value", usage)
                values[param.name] = True
                continue
            if eq:
                value = inline
            elif index < len(words):
                value = words[index]
                index += 1
            else:
                raise UsageError(f"`{param.flag}` needs a value ({param.shown})", usage)
            _store(values, param, value, usage)
        else:
            given_positionals.append(word)
    if len(given_positionals) > len(positionals):
        extra = given_positionals[len(positionals)]
        secret = any(p.secret for p in command.params)
        raise UsageError(f"unexpected argument `{_short(extra, secret=secret)}`", usage)
    for param, value in zip(positionals, given_positionals, strict=False):
        _store(values, param, value, usage)
    for param in command.params:
        if param.required and values.get(param.name) in (None, []):
            what = (
                f"<{param.metavar or param.name}>"
                if param.kind is ParamKind.POSITIONAL
                else (param.flag)
            )
            raise UsageError(f"missing {what}", usage)
    return _validated(command, values)


def _store(values: dict[str, Any], param: Param, value: str, usage: str) -> None:
    label = param.flag if param.kind is ParamKind.OPTION else f"<{param.metavar or param.name}>"
    if not value.strip():
        raise UsageError(f"{label} is empty", usage)
    if len(value) > param.max_length:
        raise UsageError(
            f"{label} is too long ({len(value):,} characters; the limit is {param.max_length:,})",
            usage,
        )
    if param.choices and value.lower() not in param.choices:
        raise UsageError(f"{label} must be one of {', '.join(param.choices)}", usage)
    if param.choices:
        value = value.lower()
    if param.repeatable:
        values[param.name].append(value)
    elif values.get(param.name) is not None:
        raise UsageError(f"{label} given twice", usage)
    else:
        values[param.name] = value


def _validated(command: Command, values: dict[str, Any]) -> Arguments:
    args = Arguments(values)
    if command.validate is not None:
        try:
            command.validate(args)
        except UsageError:
            raise
        except ValueError as exc:
            raise UsageError(_without_secrets(command, args, str(exc)), command.usage()) from None
    return args


def _without_secrets(command: Command, args: Arguments, reason: str) -> str:
    """A validator's reason with every value of a secret parameter fingerprinted: whatever a
    validator quotes, a usage error never echoes a token, secret or password."""
    secrets = Redactor()
    for param in command.params:
        if param.secret:
            for value in args.many(param.name):
                secrets.add(value)
                secrets.add(_one_line(value))
    return secrets.text(_one_line(reason))


def _one_line(text: str) -> str:
    """Reasons are shown on one line; a quoted word may carry a line break or a tab."""
    return " ".join(text.split())


def _short(word: str, *, secret: bool = False) -> str:
    """A word echoed in a reason. Long words are usually pasted tokens, and a stray word next to
    a secret parameter may be half of one: those are shown by fingerprint, never by content."""
    word = _one_line(word)
    if secret or len(word) > 40:
        return f"{fingerprint(word)}, {len(word)} chars"
    return word
