"""What a status code, an OAuth error code or a gateway's error text means, and what to run next.

Responders paste whatever they have: `401`, `HTTP/1.1 403 Forbidden`, a JSON error body, Envoy's
`Jwt is expired`. The knowledge lives here as data (one `Explanation` per topic, matched by its
aliases) so that adding a topic never means adding a code branch, and a test can walk every entry.
The remedies are written from the runbooks this product automates (Kyma APIRule + Hydra, generic
cloud APIs, XSUAA token retrieval) and from the upstream behaviour recorded in DOMAIN.md.
"""

from __future__ import annotations

import json
import re
from typing import Any

from handlers.gateways import catalog as gateways
from handlers.meanings.aws import AWS
from handlers.meanings.envoy import ENVOY
from handlers.meanings.explanation import Explanation as Explanation
from handlers.meanings.explanation import normalise_topic as normalise_topic
from handlers.meanings.gateway_wordings import AMBIGUOUS_GATEWAY, gateway_explanations
from handlers.meanings.oathkeeper import OATHKEEPER
from handlers.meanings.oauth_errors import OAUTH_ERRORS
from handlers.meanings.statuses import STATUSES

#: The hand-written topics, by subject.
_WRITTEN: tuple[Explanation, ...] = (*STATUSES, *OAUTH_ERRORS, *ENVOY, *OATHKEEPER, *AWS)
#: The gateway table's wordings `explain` did not have an entry for yet.
GATEWAY_EXPLANATIONS = gateway_explanations(_WRITTEN)
EXPLANATIONS: tuple[Explanation, ...] = (*_WRITTEN, *GATEWAY_EXPLANATIONS, AMBIGUOUS_GATEWAY)


#: Shown when a topic is unknown: a handful that covers the common cases.
SUGGESTED = (
    "401",
    "403",
    "invalid_client",
    "invalid_token",
    "Jwt is expired",
    "RBAC: access denied",
)


def _index() -> dict[str, Explanation]:
    names: dict[str, Explanation] = {}
    for entry in EXPLANATIONS:
        for name in entry.names:
            names.setdefault(normalise_topic(name), entry)
    return names


_BY_NAME = _index()
_PATTERNS = tuple(
    (name, re.compile(r"(?<![a-z0-9_])" + re.escape(name) + r"(?![a-z0-9_])"))
    for name in sorted(_BY_NAME, key=len, reverse=True)
)


def _from_json(text: str) -> Explanation | None:
    """A pasted error body: OAuth's `{"error": "code"}` or Oathkeeper's `{"error": {"code": N}}`."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, str):
        return _BY_NAME.get(normalise_topic(error))
    if isinstance(error, dict) and isinstance(error.get("code"), int | str):
        return _BY_NAME.get(f"oathkeeper {error['code']}") or _BY_NAME.get(str(error["code"]))
    return None


def _gateway_body(text: str) -> Explanation | None:
    """A gateway's error body (Kong, AWS, Apigee, Azure APIM, ESP): the shared table decides."""
    sig = gateways.in_text(text)
    if sig is not None:
        return _BY_NAME.get(normalise_topic(sig.key))
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, dict) and str(data.get("message", "")).strip().lower() == "unauthorized":
        return AMBIGUOUS_GATEWAY
    return None


def lookup(topic: str) -> Explanation | None:
    """The entry for `topic`: an exact name, a JSON error body, else the longest name inside it."""
    wanted = normalise_topic(topic)
    if not wanted:
        return None
    if wanted in _BY_NAME:
        return _BY_NAME[wanted]
    found = _gateway_body(topic.strip().strip("`'"))
    if found is not None:
        return found
    if wanted.startswith("{"):
        found = _from_json(topic.strip().strip("`'"))
        if found is not None:
            return found
    for name, pattern in _PATTERNS:
        if pattern.search(wanted):
            return _BY_NAME[name]
    return None
