"""Which APIRule, and which of its rules, serves a URL.

Kyma matches the request host against `spec.host` (v1beta1; a short name gets the gateway's domain
appended) or `spec.hosts[]` (v2), then the path against each rule: v1beta1 paths are Oathkeeper
regular expressions (`/orders/.*`), v2 paths use `{*}` (one segment), `{**}` (any number) and a
trailing `/*` (anything below). When several rules match, the most specific (longest literal
prefix) wins, as it does in the gateway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from handlers.kyma.apirule import ApiRule, Rule

_WILDCARDS = re.compile(r"(\{\*\*\}|\{\*\}|\*)")


def host_matches(rule_host: str, url_host: str) -> bool:
    """Exact host (port ignored), or a v1beta1 short name that the gateway's domain completes."""
    wanted = rule_host.strip().lower()
    host = url_host.strip().lower()
    if wanted.rpartition(":")[2].isdigit() and ":" in wanted:
        wanted = wanted.rpartition(":")[0]
    if wanted == host:
        return True
    return "." not in wanted and bool(wanted) and host.startswith(wanted + ".")


def _v2_regex(pattern: str) -> str:
    out = []
    for part in _WILDCARDS.split(pattern):
        if part == "{**}":
            out.append(".*")
        elif part == "{*}":
            out.append("[^/]+")
        elif part == "*":
            out.append(".*")
        else:
            out.append(re.escape(part))
    return "".join(out)


def path_matches(pattern: str, path: str, version: str) -> bool:
    """Whether a rule's `path` covers the request path (see the module docstring)."""
    path = path or "/"
    if pattern == path or pattern in ("/*", "/{**}", "/.*"):
        return True
    if version == "v1beta1" and "{" not in pattern:
        try:
            return re.fullmatch(pattern, path) is not None
        except re.error:
            return False
    return re.fullmatch(_v2_regex(pattern), path) is not None


def literal_prefix(pattern: str) -> int:
    """Length of the part before the first wildcard or regex character: the specificity."""
    match = re.search(r"[{*.\[(?+\\]", pattern)
    return match.start() if match else len(pattern) + 1


@dataclass(frozen=True)
class Match:
    """The APIRule serving a URL and the rule that applies (None when no rule covers the path)."""

    apirule: ApiRule
    rule: Rule | None
    #: True when a rule covers the path but not this HTTP method.
    method_mismatch: bool = False


def find(apirules: Iterable[ApiRule], host: str, path: str, method: str) -> Match | None:
    """The best APIRule and rule for this request, or None when no APIRule names the host."""
    best: tuple[tuple[int, int], Match] | None = None
    method = method.upper()
    for apirule in apirules:
        if not any(host_matches(h, host) for h in apirule.hosts):
            continue
        candidate = Match(apirule, None)
        score = (0, -1)
        for rule in apirule.rules:
            if not path_matches(rule.path, path, apirule.version):
                continue
            methods = {m.upper() for m in rule.methods}
            fits = not methods or method in methods
            rank = (2 if fits else 1, literal_prefix(rule.path))
            if rank > score:
                score = rank
                candidate = Match(apirule, rule, method_mismatch=not fits)
        if best is None or score > best[0]:
            best = (score, candidate)
    return best[1] if best else None
