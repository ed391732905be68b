"""The Block Kit form of a report and of the bot's other messages. Decides nothing.

Order and outcome come from the `Report`; this module only lays them out within Slack's limits
(50 blocks, 3000 characters per section text, 150 per header, 4000 for the fallback text), so a
report of any size renders without an `invalid_blocks` error. Everything a user or a remote server
could have written is mrkdwn-escaped (`&`, `<`, `>`), so a pasted `<!channel>` or `<http://x|y>`
shows as text instead of pinging a channel or hiding a link.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from handlers.core.model import Finding, Report, Severity, ordered, plural

Block = dict[str, Any]
Rendered = tuple[str, list[Block]]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 4000
MAX_CONTEXT_ELEMENTS = 10
#: Beyond this many characters of finding text a thread reply stops being readable; the rest
#: is folded into the overflow line (the CLI and --json still have everything).
MAX_FINDINGS_CHARS = 24_000
ELLIPSIS = "…"

MARKS = {
    Severity.OK: ":white_check_mark:",
    Severity.INFO: ":information_source:",
    Severity.SKIP: ":fast_forward:",
    Severity.WARN: ":warning:",
    Severity.FAIL: ":x:",
    Severity.ERROR: ":exclamation:",
}
RUNNING_MARK = ":hourglass_flowing_sand:"

#: What turns a finding's command (`Finding.commands`) into one Slack runs as pasted.
SLASH_PREFIX = "/authcheck "
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
#: Control characters (except newline and tab) have no business in a message and some break
#: Slack's rendering; they are dropped from every text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# --- text helpers ---------------------------------------------------------------------------


def escape(text: str) -> str:
    """mrkdwn control characters; Slack wants exactly these three escaped, nothing else."""
    text = _CONTROL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str) -> str:
    """For plain_text objects, which show entities literally: swap the brackets for look-alikes
    so nothing in a header can ever be read as a mention or link."""
    return _CONTROL.sub("", text).replace("<", "‹").replace(">", "›")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in "…" when cut, never inside an `&amp;` entity."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ""
    cut = text[: limit - 1]
    cut = _PARTIAL_ENTITY.sub("", cut)
    return cut + ELLIPSIS


def _code_safe(text: str) -> str:
    """Backticks inside code would close it early; a modifier grave looks the same."""
    return text.replace("`", "ˋ")


def _code_block(escaped: str, limit: int) -> str:
    """A ``` block of at most `limit` characters (fences included), or "" when there is no room."""
    room = limit - 6
    if room < 2:
        return ""
    return "```" + clip(escaped.replace("```", "ˋˋˋ"), room) + "```"


def _text(kind: str, text: str) -> dict[str, Any]:
    if kind == "plain_text":
        return {"type": "plain_text", "text": text, "emoji": True}
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> Block:
    return {"type": "section", "text": _text("mrkdwn", clip(text, MAX_SECTION_TEXT) or " ")}


def header(text: str) -> Block:
    return {"type": "header", "text": _text("plain_text", clip(plain(text), MAX_HEADER_TEXT))}


def context(*texts: str) -> Block:
    elements = [_text("mrkdwn", clip(t, MAX_SECTION_TEXT)) for t in texts if t]
    return {
        "type": "context",
        "elements": elements[:MAX_CONTEXT_ELEMENTS] or [_text("mrkdwn", "…")],
    }


def _fallback(text: str) -> str:
    return clip(text, MAX_FALLBACK_TEXT)


# --- reports --------------------------------------------------------------------------------


def outcome_line(report: Report, *, pending: int = 0, title: str | None = None) -> str:
    """The first thing a responder reads (plain text, unescaped; callers escape per target)."""
    label = title or report.command
    if pending > 0:
        noun = "check" if pending == 1 else "checks"
        line = f"{RUNNING_MARK} {label}: running… {pending} {noun} left"
        if report.findings and report.status.is_problem:
            line += f" — so far {report.status.value.upper()}"
        return line
    head = report.headline
    mark = MARKS[head.status if head is not None else Severity.OK]
    return f"{mark} {label}: {report.verdict}"


def _summary(report: Report, pending: int) -> str:
    counts = Counter(f.status for f in report.findings)
    tally = "  ".join(
        f"{MARKS[f.status]} {counts.pop(f.status)}"
        for f in ordered(report.findings)
        if f.status in counts
    )
    parts = [f"`{escape(_code_safe(clip(report.command, 100)))}`"]
    parts.append(plural(len(report.findings), "finding"))
    if not pending:
        parts.append(f"{report.duration_ms} ms")
    if tally:
        parts.append(tally)
    return " · ".join(parts)


def _remedy_mrkdwn(remedy: str, commands: tuple[str, ...], limit: int) -> str:
    """Prose escaped as is (inline `code` stays code); the finding's commands, as `/authcheck …`
    lines that can be pasted back into Slack, become a ``` block. Which lines are commands is
    the model's word (`Finding.commands`), never guessed from the wording."""
    prefix = "*Fix:* " if remedy else "*Run:* "
    out: list[str] = []
    used = len(prefix)
    groups: list[tuple[bool, list[str]]] = []
    if remedy:
        groups.append((False, remedy.splitlines() or [remedy]))
    if commands:
        groups.append((True, [SLASH_PREFIX + " ".join(c.split()) for c in commands]))
    for is_cmd, lines in groups:
        room = limit - used - 1
        if room < 8:
            break
        if is_cmd:
            piece = _code_block(escape("\n".join(lines)), room)
        else:
            piece = clip(escape("\n".join(lines).strip()), room)
        if piece:
            out.append(piece)
            used += len(piece) + 1
    body = "\n".join(out)
    return prefix + body if body else ""


def finding_text(finding: Finding) -> str:
    """One finding as section mrkdwn of at most MAX_SECTION_TEXT characters."""
    title = clip(escape(finding.title.strip() or "(untitled)"), 300)
    head = f"{MARKS[finding.status]} *{title}*"
    room = MAX_SECTION_TEXT - len(head) - 2  # two newlines between the parts
    detail = escape(finding.detail.strip())
    wants_fix = bool(finding.remedy.strip() or finding.commands)
    remedy_budget = max(room // 2, room - len(detail) - 1) if wants_fix else 0
    remedy = (
        _remedy_mrkdwn(finding.remedy.strip(), finding.commands, remedy_budget)
        if remedy_budget
        else ""
    )
    detail = clip(detail, room - len(remedy) - 1) if detail else ""
    return "\n".join(p for p in (head, detail, remedy) if p)


def _overflow(hidden: list[Finding]) -> Block:
    counts = Counter(f.status for f in hidden)
    tally = ", ".join(
        f"{counts.pop(f.status)} {MARKS[f.status]}" for f in ordered(hidden) if f.status in counts
    )
    return context(
        f"…and {plural(len(hidden), 'more finding')} ({tally}) "
        "(run with --json / see CLI: `authcheck run --json -- …`)"
    )


def render_report(
    report: Report, *, pending: int = 0, title: str | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for a thread reply; re-rendered in place as checks finish."""
    line = outcome_line(report, pending=pending, title=title)
    blocks: list[Block] = [header(line), context(_summary(report, pending))]
    shown_order = report.ordered()
    texts = [finding_text(f) for f in shown_order]
    room = MAX_BLOCKS - len(blocks)
    shown: list[str] = []
    chars = 0
    for i, text in enumerate(texts):
        rest = len(texts) - i - 1
        # Keep one block for the overflow line whenever something will be left out.
        limit = room if rest == 0 else room - 1
        if len(shown) >= limit or chars + len(text) > MAX_FINDINGS_CHARS:
            break
        shown.append(text)
        chars += len(text)
    blocks.extend(section(t) for t in shown)
    hidden = shown_order[len(shown) :]
    if hidden:
        blocks.append(_overflow(hidden))
    fallback = escape(line)
    head = report.headline
    if head is not None and not pending and head.detail:
        fallback += "\n" + escape(head.detail.strip())
    return _fallback(fallback), blocks


# --- the bot's other messages ---------------------------------------------------------------


def _mention(user_id: str) -> str:
    """A mention only for something shaped like a Slack user ID; anything else is shown as text."""
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id)


def render_parent(requester_id: str, command_text: str) -> tuple[str, list[dict[str, Any]]]:
    """The channel message a thread hangs off: who asked for what (already redacted by caller)."""
    who = _mention(requester_id)
    cmd = clip(escape(_code_safe(" ".join(command_text.split()))), 2500)
    text = f"{who} asked: `{cmd}`"
    return _fallback(text), [section(text)]


def render_usage_error(reason: str, usage: str) -> tuple[str, list[dict[str, Any]]]:
    """Ephemeral: the one-line reason, the usage as something to copy, and where help is."""
    why = clip(escape(reason.strip() or "That command could not be read"), 1000)
    blocks = [
        section(f"{MARKS[Severity.WARN]} {why}"),
        section("*Usage:*\n" + _code_block(escape("/authcheck " + usage.strip()), 1900)),
        context("`/authcheck help` lists every command."),
    ]
    return _fallback(f"{why} — usage: /authcheck {escape(usage.strip())}"), blocks


def render_denied(reason: str) -> tuple[str, list[dict[str, Any]]]:
    """Ephemeral refusal (access control, rate limit)."""
    why = clip(escape(reason.strip() or "You are not allowed to run authcheck here"), 2500)
    text = f":no_entry: {why}"
    return _fallback(text), [section(text)]


def render_help(overview_text: str) -> tuple[str, list[dict[str, Any]]]:
    """The command list; long lists are split on line boundaries over several sections."""
    blocks: list[Block] = [header("authcheck commands")]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for raw in overview_text.splitlines():
        line = clip(escape(raw), 2000)
        if current and size + len(line) + 1 > MAX_SECTION_TEXT - 10:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        chunks.append("\n".join(current))
    room = MAX_BLOCKS - 2
    blocks.extend(section("```" + c + "```") for c in chunks[:room])
    if len(chunks) > room:
        blocks.append(context("…more commands: run `authcheck run -- help` for the full list."))
    else:
        blocks.append(context("`/authcheck help <command>` shows its arguments and examples."))
    return _fallback("authcheck commands\n" + escape(overview_text)), blocks


def render_dead_letter(job_command: str, attempts: int) -> tuple[str, list[dict[str, Any]]]:
    """Told in the thread when a job is moved to the dead-letter list instead of retried."""
    cmd = clip(escape(_code_safe(" ".join(job_command.split()))), 2000)
    times = "once" if attempts == 1 else f"{attempts} times"
    text = (
        f"{MARKS[Severity.ERROR]} This command failed {times} and was set aside: `{cmd}`\n"
        "Nothing more will be retried automatically; run it again once the cause is fixed."
    )
    return _fallback(text), [section(text)]
