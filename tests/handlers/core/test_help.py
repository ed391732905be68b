"""Help is generated from the declared params, so what it says is what the parser accepts."""

from __future__ import annotations

from handlers.core.check import Arguments, Command, Param, ParamKind
from handlers.core.grammar import parse
from handlers.core.help import command_help, overview
from handlers.core.model import Finding
from handlers.core.registry import Registry


class NoCheck:
    name = "none"

    async def run(self, args: Arguments, ctx: object) -> list[Finding]:
        return []


LOGIN = Command(
    name="login",
    summary="Log in somewhere",
    params=(
        Param("url", "where to log in", required=True),
        Param("secret", "the password", kind=ParamKind.OPTION, secret=True, metavar="PW"),
        Param("scope", "a scope", kind=ParamKind.OPTION, repeatable=True),
        Param("mode", "how", kind=ParamKind.OPTION, choices=("a", "b")),
        Param("dry-run", "only pretend", kind=ParamKind.SWITCH),
    ),
    checks=(NoCheck(),),
    examples=("login https://x --secret PW",),
)
PASTE = Command(
    name="paste-it",
    summary="Raw text",
    params=(Param("text", "anything", kind=ParamKind.REST),),
    checks=(NoCheck(),),
)


def test_usage_line_is_built_from_the_params() -> None:
    assert LOGIN.usage() == ("login <url> [--secret PW] [--scope SCOPE] [--mode MODE] [--dry-run]")
    assert PASTE.usage() == "paste-it [<text>]"


def test_command_help_marks_required_repeatable_choices_and_secret() -> None:
    text = command_help(LOGIN)
    lines = text.splitlines()
    assert lines[0] == f"usage: {LOGIN.usage()}"
    assert "  <url>: where to log in (required)" in lines
    assert "  --secret PW: the password (secret: never echoed, shown as a fingerprint)" in lines
    assert "  --scope SCOPE: a scope (repeatable)" in lines
    assert "  --mode MODE: how (one of a, b)" in lines
    assert "  --dry-run: only pretend" in lines
    assert lines[-2:] == ["examples:", "  login https://x --secret PW"]


def test_every_flag_help_shows_is_accepted_by_the_parser() -> None:
    registry = Registry([LOGIN])
    inv = parse("login u --secret s1 --scope a --scope b --mode A --dry-run", registry)
    assert inv.args["scope"] == ["a", "b"]
    assert inv.args.flag("dry-run")
    assert inv.args["mode"] == "a"


def test_overview_aligns_summaries_in_registry_order() -> None:
    text = overview(Registry([LOGIN, PASTE]))
    assert text.splitlines() == ["login     Log in somewhere", "paste-it  Raw text"]


def test_overview_of_an_empty_registry_is_empty() -> None:
    assert overview(Registry([])) == ""
