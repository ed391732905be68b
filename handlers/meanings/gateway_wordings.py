"""The shared gateway table (`handlers.gateways.catalog`) as `explain` topics, so `explain`
knows every gateway wording `probe` and `diagnose` recognise, in the same words.

Wordings the hand-written tables already answer to stay theirs; `{"message":"Unauthorized"}`,
which Kong and AWS API Gateway both answer, gets one entry naming both.
"""

from __future__ import annotations

from handlers.gateways import catalog as gateways
from handlers.meanings.explanation import DECODE, DIAGNOSE, PROBE, Explanation, normalise_topic


def gateway_explanations(known: tuple[Explanation, ...]) -> tuple[Explanation, ...]:
    """An entry for every gateway wording the `known` entries do not cover yet."""
    known_keys = {e.key for e in known}
    known_names = {normalise_topic(n) for e in known for n in e.names}
    return tuple(
        _gateway_entry(sig, known_names)
        for sig in gateways.SIGNATURES
        if sig.key not in known_keys and not sig.needs_header
    )


def _gateway_entry(sig: gateways.Signature, known_names: set[str]) -> Explanation:
    """An entry made from the shared gateway table, so `explain` knows every gateway wording
    `probe` and `diagnose` recognise, in the same words."""
    wants = f" It reads {sig.wants}, not a Bearer token." if sig.wants else ""
    return Explanation(
        key=sig.key,
        # A wording another entry already answers to (`403 Forbidden`) stays that entry's.
        aliases=tuple(a for a in (sig.text, *sig.aliases) if normalise_topic(a) not in known_names),
        title=f"{sig.product}: `{sig.text}`",
        meaning=f"{sig.meaning[0].upper()}{sig.meaning[1:]}.{wants} (Source: {sig.source}.)",
        causes=sig.causes or (sig.meaning,),
        fix=sig.remedy,
        next_steps=(PROBE, DIAGNOSE, DECODE),
        status=sig.status,
    )


#: `{"message":"Unauthorized"}` alone: Kong and AWS API Gateway both answer it.
AMBIGUOUS_GATEWAY = Explanation(
    key="gateway unauthorized",
    aliases=(),
    title='`{"message":"Unauthorized"}`: an API gateway (Kong or AWS API Gateway) refused',
    meaning=(
        "Both Kong's authentication plugins and AWS API Gateway's authorizers answer 401 with "
        "exactly this body and say no more: the credential was missing, or was not accepted. "
        "Headers tell them apart: `x-amzn-ErrorType`/`x-amzn-RequestId` is AWS, "
        "`Server: kong`/`Via: kong` is Kong."
    ),
    causes=tuple(s.meaning for s in gateways.SIGNATURES if s.text == "Unauthorized"),
    fix="Probe the URL: the headers say which gateway it is and the verdict follows.",
    next_steps=(PROBE, DIAGNOSE, DECODE),
    status=401,
)
