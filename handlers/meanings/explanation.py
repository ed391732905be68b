"""One `explain` topic (`Explanation`), how a topic is spelt for lookup, and the next commands
the entries point to.

The tables of topics live beside this, one module per subject (statuses, OAuth error codes,
Envoy/Istio texts, Oathkeeper bodies, AWS errors, gateway wordings); `catalog` joins them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    """One topic: the names it is known by, what it means, why it happens, what to run next."""

    key: str
    aliases: tuple[str, ...]
    title: str
    meaning: str
    causes: tuple[str, ...]
    fix: str
    next_steps: tuple[str, ...]
    #: The HTTP status this usually arrives with; None when it varies.
    status: int | None = None
    related: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key, *self.aliases)


#: The commands entries suggest next, worded once so every entry says them the same way.
DIAGNOSE = "`diagnose <url> --token <token>` runs every relevant check at once"
PROBE = "`probe <url> --token <token>` shows who answered (Istio, Oathkeeper, the app)"
DECODE = "`decode <token>` shows `iss`, `aud`, scopes, `kid`, expiry and clock skew"
INTROSPECT = "`introspect <token>` asks the issuer whether the token is active"
TOKEN = (
    "`token <issuer-or-token-url> --client-id <id> --client-secret <secret>` "
    "requests a token and explains a refusal"
)
CLIENT = "`client <namespace>/<name>` compares the OAuth2Client, its Secret and Hydra's copy"
APIRULE = "`apirule <namespace>/<name> --token <token>` says whether the rule lets it in"
BINDING = "`binding <namespace>/<secret>` checks an XSUAA binding and makes a live token call"
HEADER = '`header "<Authorization value>"` lints the header\'s scheme and shape'
HYDRA = "`hydra` checks Hydra and hydra-maester health and admin paths"

_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "`": " "})
_SPACES = re.compile(r"\s+")
_EDGES = " \"'"


def normalise_topic(text: str) -> str:
    """Lower case, straight quotes, single spaces, no surrounding quotes."""
    text = _SPACES.sub(" ", text.translate(_TYPOGRAPHY).lower()).strip()
    return text.strip(_EDGES).strip()
