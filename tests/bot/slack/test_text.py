"""`from_slack`: text as Slack delivers it (links, mentions, escapes, backticks, rich-text blocks)
back to what was typed, so the grammar sees the command the person wrote."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.text import blocks_text, from_slack
from handlers.commands.registry import default_registry
from handlers.core.grammar import parse

README_URL = "https://orders.example.com/api"

CASES = [
    # (as Slack delivers the text field, what the person typed)
    (f"<@U0AUTHBOT> diagnose <{README_URL}>", f"diagnose {README_URL}"),
    (f"<@U0AUTHBOT|authcheck> diagnose <{README_URL}|orders API>", f"diagnose {README_URL}"),
    (f"<@U0AUTHBOT> diagnose <{README_URL}|{README_URL}>", f"diagnose {README_URL}"),
    ("<@U0AUTHBOT> explain 401 <@U0BOB> <#C0INCIDENT|incident>", "explain 401"),
    ("<!subteam^S0ONCALL|@oncall> <@U0AUTHBOT> explain 403 <!here>", "explain 403"),
    (
        "<!channel> explain invalid_client <!date^1700000000^{date}|Nov 14>",
        "explain invalid_client",
    ),
    (
        "probe <https://a.example/x?b=1&amp;c=2> --header &quot;",
        "probe https://a.example/x?b=1&c=2 --header &quot;",
    ),
    ("header &lt;Bearer&gt; &amp;amp;", "header <Bearer> &amp;"),
    ("decode `eyJhbGciOiJIUzI1NiJ9.e30.sig`", "decode eyJhbGciOiJIUzI1NiJ9.e30.sig"),
    ("`diagnose https://h.example/p`", "diagnose https://h.example/p"),
    ("```diagnose <https://h.example/p>```", "diagnose https://h.example/p"),
    ("```\nexplain 401\n```", "explain 401"),
    ("whois <mailto:ops@example.com|ops@example.com>", "whois ops@example.com"),
    ("  <@U0AUTHBOT>   ", ""),
    ("", ""),
]


@pytest.mark.parametrize(("delivered", "typed"), CASES)
def test_text_field_as_slack_delivers_it(delivered: str, typed: str) -> None:
    assert from_slack(delivered) == typed


def _rich(*elements: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": "b1",
            "elements": [{"type": "rich_text_section", "elements": list(elements)}],
        }
    ]


def test_rich_text_blocks_win_over_the_text_field() -> None:
    blocks = _rich(
        {"type": "user", "user_id": "U0AUTHBOT"},
        {"type": "text", "text": " diagnose "},
        {"type": "link", "url": README_URL, "text": "the orders API"},
        {"type": "text", "text": " --method POST & more"},
    )
    assert blocks_text(blocks) == f" diagnose {README_URL} --method POST & more"
    # The text field says something else: the blocks are what was typed, unescaped.
    assert from_slack("<@U0AUTHBOT> stale", blocks) == f"diagnose {README_URL} --method POST & more"


def test_rich_text_preformatted_lists_and_unknown_elements() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "not rich text"}},
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_preformatted",
                    "elements": [{"type": "text", "text": "< HTTP/1.1 401 Unauthorized"}],
                },
                {
                    "type": "rich_text_list",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "emoji", "name": "x"}]},
                        {"type": "rich_text_section", "elements": [{"type": "broadcast"}]},
                    ],
                },
                "garbage",
            ],
        },
    ]
    assert from_slack("ignored", blocks) == "< HTTP/1.1 401 Unauthorized\n:x:"
    assert blocks_text([{"type": "section"}]) is None
    assert from_slack("explain 401", [{"type": "rich_text", "elements": []}]) == "explain 401"


def test_the_readme_mention_parses_as_diagnose_of_the_url() -> None:
    invocation = parse(from_slack(f"<@U0AUTHBOT> diagnose <{README_URL}>"), default_registry())
    assert invocation.command.name == "diagnose"
    assert invocation.args.text("url") == README_URL


# --- property: whatever was typed survives Slack's delivery ------------------------------------

_WORD = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), exclude_characters="`"
    ),
    min_size=1,
    max_size=12,
)
_URL = st.builds(
    lambda host, path: f"https://{host}.example/{path}",
    st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_./?=&%-]{0,20}", fullmatch=True),
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def _typed_and_delivered(draw: st.DrawFn) -> tuple[str, str]:
    typed: list[str] = []
    delivered: list[str] = ["<@U0AUTHBOT>"]
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["word", "url", "labelled", "mention", "code"]))
        if kind == "word":
            word = draw(_WORD)
            typed.append(word)
            delivered.append(_escape(word))
        elif kind in ("url", "labelled"):
            url = draw(_URL)
            typed.append(url)
            label = draw(_WORD).replace("|", "").replace(">", "") or "x"
            escaped = _escape(url)
            delivered.append(f"<{escaped}>" if kind == "url" else f"<{escaped}|{_escape(label)}>")
        elif kind == "mention":
            delivered.append(draw(st.sampled_from(["<@U0BOB>", "<#C0X|x>", "<!here>"])))
        else:
            word = draw(_WORD)
            typed.append(word)
            delivered.append(f"`{_escape(word)}`")
    return " ".join(typed), " ".join(delivered)


@given(_typed_and_delivered())
def test_what_was_typed_survives_delivery(case: tuple[str, str]) -> None:
    typed, delivered = case
    assert from_slack(delivered).split() == typed.split()
