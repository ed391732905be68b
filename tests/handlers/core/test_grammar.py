"""The grammar: Slack typography undone, every rule derived from the declared params, and every
rejection a one-line UsageError carrying the usage, whatever text arrives."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.core.check import Arguments, Command, Param, ParamKind, UsageError
from handlers.core.grammar import GENERAL_USAGE, MAX_TEXT, Invocation, normalise, parse
from handlers.core.model import Finding
from handlers.core.redact import fingerprint
from handlers.core.registry import Registry


class NoCheck:
    """Parsing never runs checks; a command still needs a tuple of them."""

    name = "none"

    async def run(self, args: Arguments, ctx: object) -> list[Finding]:
        return []


def _pair_rule(args: Arguments) -> None:
    if (args.text("client-id") is None) != (args.text("client-secret") is None):
        raise ValueError("--client-id and --client-secret go together\nsecond line")


FETCH = Command(
    name="fetch",
    summary="test command with every kind of option",
    params=(
        Param("url", "where", required=True),
        Param("token", "bearer token", kind=ParamKind.OPTION, secret=True),
        Param("client-id", "id", kind=ParamKind.OPTION),
        Param("client-secret", "secret", kind=ParamKind.OPTION, secret=True),
        Param("scope", "scopes", kind=ParamKind.OPTION, repeatable=True),
        Param("method", "verb", kind=ParamKind.OPTION, choices=("get", "post")),
        Param("verbose", "talk", kind=ParamKind.SWITCH),
    ),
    checks=(NoCheck(),),
    validate=_pair_rule,
)
PAIR = Command(
    name="pair",
    summary="two positionals, second optional",
    params=(Param("first", "a", required=True), Param("second", "b", max_length=10)),
    checks=(NoCheck(),),
)
PASTE = Command(
    name="paste",
    summary="takes everything raw",
    params=(Param("text", "raw", kind=ParamKind.REST, required=True, max_length=100),),
    checks=(NoCheck(),),
)
NEEDS = Command(
    name="needs",
    summary="a required option",
    params=(Param("ns", "namespace", kind=ParamKind.OPTION, required=True),),
    checks=(NoCheck(),),
)
REGISTRY = Registry([FETCH, PAIR, PASTE, NEEDS])


def rejected(text: str) -> UsageError:
    with pytest.raises(UsageError) as info:
        parse(text, REGISTRY)
    return info.value


# --- splitting and Slack typography ---------------------------------------------------------


def test_shell_quoting_keeps_spaces_inside_one_argument() -> None:
    inv = parse("pair 'a b' \"c d\"", REGISTRY)
    assert (inv.args["first"], inv.args["second"]) == ("a b", "c d")


def test_slack_smart_quotes_are_undone_before_splitting() -> None:
    inv = parse("pair “a b” ‘c d’", REGISTRY)
    assert (inv.args["first"], inv.args["second"]) == ("a b", "c d")


@pytest.mark.parametrize("dash", ["\u2014", "\u2013"])
def test_em_and_en_dash_flags_become_double_hyphen(dash: str) -> None:
    inv = parse(f"fetch https://x {dash}token abc {dash}verbose", REGISTRY)
    assert inv.args["token"] == "abc"
    assert inv.args["verbose"] is True


def test_a_dash_inside_a_value_is_left_alone() -> None:
    assert normalise("a — b") == "a — b"
    assert parse("pair x—y", REGISTRY).args["first"] == "x—y"


def test_non_breaking_space_separates_words() -> None:
    inv = parse("pair\u00a0a\u00a0b", REGISTRY)
    assert (inv.args["first"], inv.args["second"]) == ("a", "b")


@pytest.mark.parametrize("sep", ["\t", "\n", "\r\n", "  "])
def test_any_whitespace_ends_the_command_word(sep: str) -> None:
    assert parse(f"pair{sep}a", REGISTRY).args["first"] == "a"


def test_command_word_is_case_insensitive() -> None:
    assert parse("PAIR a", REGISTRY).command is PAIR


def test_unicode_values_pass_through() -> None:
    inv = parse("pair Grüße 東京🔑", REGISTRY)
    assert (inv.args["first"], inv.args["second"]) == ("Grüße", "東京🔑")


def test_unclosed_quote_is_a_usage_error() -> None:
    err = rejected('pair "a b')
    assert "closing quotation" in err.reason
    assert err.usage == PAIR.usage()


def test_trailing_backslash_is_a_usage_error() -> None:
    assert "escaped character" in rejected("pair a\\").reason


# --- options ---------------------------------------------------------------------------------


def test_option_with_separate_value_and_with_equals() -> None:
    a = parse("fetch https://x --token abc", REGISTRY).args
    b = parse("fetch https://x --token=abc", REGISTRY).args
    assert a["token"] == b["token"] == "abc"


def test_equals_value_may_itself_contain_equals() -> None:
    assert parse("fetch u --token=a=b==", REGISTRY).args["token"] == "a=b=="


def test_options_may_come_before_positionals_and_flags_are_case_insensitive() -> None:
    inv = parse("fetch --TOKEN abc https://x", REGISTRY)
    assert (inv.args["url"], inv.args["token"]) == ("https://x", "abc")


def test_repeatable_option_collects_in_order() -> None:
    args = parse("fetch u --scope a --scope=b --scope c", REGISTRY).args
    assert args["scope"] == ["a", "b", "c"]
    assert args.many("scope") == ["a", "b", "c"]


def test_unset_values_are_none_empty_list_and_false() -> None:
    args = parse("fetch u", REGISTRY).args
    assert args["token"] is None
    assert args.many("scope") == []
    assert args.flag("verbose") is False


def test_switch_is_true_when_given_and_refuses_a_value() -> None:
    assert parse("fetch u --verbose", REGISTRY).args.flag("verbose") is True
    assert "takes no value" in rejected("fetch u --verbose=yes").reason


def test_choices_are_case_insensitive_and_stored_lower_case() -> None:
    assert parse("fetch u --method POST", REGISTRY).args["method"] == "post"
    err = rejected("fetch u --method put")
    assert err.reason == "--method must be one of get, post"


def test_value_given_twice_is_refused_without_echoing_it() -> None:
    err = rejected("fetch u --token first-value-1 --token second-value-2")
    assert err.reason == "--token given twice"
    assert "value-" not in err.one_line()


def test_option_missing_its_value() -> None:
    assert rejected("fetch u --token").reason == "`--token` needs a value (TOKEN)"


@pytest.mark.parametrize("text", ["fetch u --token ''", "fetch u --token=", "fetch u --token '  '"])
def test_empty_value_is_refused(text: str) -> None:
    assert rejected(text).reason == "--token is empty"


def test_empty_positional_is_refused() -> None:
    assert rejected("pair ''").reason == "<first> is empty"


def test_unknown_option() -> None:
    err = rejected("fetch u --nope 1")
    assert err.reason == "unknown option `--nope` for `fetch`"
    assert err.usage == FETCH.usage()


def test_missing_required_positional_and_option() -> None:
    assert rejected("fetch").reason == "missing <url>"
    assert rejected("needs").reason == "missing --ns"


def test_extra_positional_is_named() -> None:
    assert rejected("pair a b c").reason == "unexpected argument `c`"


def test_extra_word_next_to_a_secret_parameter_is_shown_by_fingerprint_only() -> None:
    leaked = "half-of-a-client-secret"
    err = rejected(f"fetch u {leaked}")
    assert leaked not in err.one_line()
    assert fingerprint(leaked) in err.reason


def test_value_longer_than_max_length() -> None:
    assert rejected("pair a " + "b" * 11).reason.startswith("<second> is too long (11 characters")


def test_validate_value_error_becomes_one_line_usage_error() -> None:
    err = rejected("fetch u --client-id x")
    assert err.reason == "--client-id and --client-secret go together second line"
    assert err.usage == FETCH.usage()


# --- REST parameters ---------------------------------------------------------------------------


def test_rest_takes_the_raw_text_with_quotes_and_line_breaks() -> None:
    raw = 'Authorization: Bearer "abc" --not-a-flag\nsecond line'
    assert parse(f"paste {raw}", REGISTRY).args["text"] == raw


def test_rest_required_and_too_long() -> None:
    assert rejected("paste").reason == "missing <text>"
    assert rejected("paste " + "x" * 101).reason.startswith("<text> is too long")


# --- the command word ----------------------------------------------------------------------------


def test_unknown_command_suggests_the_closest() -> None:
    err = rejected("fetchh u")
    assert err.reason == "unknown command `fetchh` (did you mean `fetch`?)"
    assert err.usage == GENERAL_USAGE


def test_unknown_command_without_a_close_match_has_no_hint() -> None:
    assert rejected("zzzzzz").reason == "unknown command `zzzzzz`"


def test_a_pasted_token_as_command_word_is_not_echoed() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVlLWhlcmU"
    err = rejected(token)
    assert token[:20] not in err.one_line()
    assert fingerprint(token) in err.reason


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_no_command(text: str) -> None:
    assert rejected(text).reason == "no command given"


# --- hostile input ---------------------------------------------------------------------------


def test_fifty_kilobytes_is_refused_before_any_splitting() -> None:
    err = rejected("pair " + "a" * 50_000)
    assert err.reason == f"input is too long (50,005 characters; the limit is {MAX_TEXT:,})"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_with_their_position(char: str) -> None:
    err = rejected(f"pair a{char}b")
    assert err.reason == f"input contains a control character (U+{ord(char):04X}) at position 6"


def test_lone_surrogate_from_undecodable_bytes_is_refused() -> None:
    text = b"pair \xff".decode("utf-8", "surrogateescape")
    assert "U+DCFF" in rejected(text).reason


def attempt(text: str) -> Invocation | UsageError:
    """The parse result or its UsageError; any other exception escapes and fails the test."""
    try:
        return parse(text, REGISTRY)
    except UsageError as err:
        return err


# --- properties --------------------------------------------------------------------------------

NAMES = [*REGISTRY.names(), "FETCH", "fech", "help"]
ALPHABET = st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(
    list(" \t\n\r\"'\\=-“”‘’—–\u00a0\x00\x1b") + list(string.ascii_lowercase)
)
WORDS = st.sampled_from(
    ["--token", "--scope", "--method", "--verbose", "--client-id", "--nope", "—token", "--", "'"]
)
ARGUMENT_TEXT = st.lists(st.text(ALPHABET, max_size=12) | WORDS, max_size=8).map(" ".join)
TEXTS = st.text(ALPHABET, max_size=200) | st.builds(
    lambda name, sep, rest: f"{name}{sep}{rest}",
    st.sampled_from(NAMES),
    st.sampled_from([" ", "\t", "\n", "  "]),
    ARGUMENT_TEXT,
)


@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_parse_returns_an_invocation_or_a_one_line_usage_error(text: str) -> None:
    outcome = attempt(text)
    if isinstance(outcome, UsageError):
        assert outcome.reason
        assert outcome.usage
        assert len(outcome.one_line().splitlines()) == 1, outcome.one_line()
        return
    inv = outcome
    assert isinstance(inv, Invocation)
    assert REGISTRY.get(inv.command.name) is inv.command
    for param in inv.command.params:
        value = inv.args[param.name]
        if param.required:
            assert value not in (None, [])
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str):
                assert v.strip()
                assert len(v) <= param.max_length
                assert not param.choices or v in param.choices


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=60))
def test_rest_value_is_the_text_after_the_command_word(raw: str) -> None:
    outcome = attempt(f"paste {raw}")
    if isinstance(outcome, UsageError):
        assert len(outcome.one_line().splitlines()) == 1
        return
    assert outcome.args["text"] == normalise(raw).strip()
