"""`gateways.probe_answers`: a probe's two answers judged without the network (the same judges
`probe` runs on live answers from the fakes in `tests/handlers/commands/test_probe*.py`)."""

from __future__ import annotations

from handlers.core.findings import FindingBuilder
from handlers.core.model import Severity
from handlers.core.redact import fingerprint
from handlers.gateways.answerer import identify
from handlers.gateways.probe_answers import anonymous_finding, token_finding
from handlers.net.send import Answer

OUT = FindingBuilder("probe")
URL = "https://api.example/orders"
TOKEN = "opaque-token-value-0123456789"
CHALLENGE = {"www-authenticate": 'Bearer realm="api"'}


def _answer(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Answer:
    return Answer(URL, status, headers or {}, body, 1)


def test_the_same_bare_challenge_with_the_token_means_it_never_arrived() -> None:
    anon = _answer(401, CHALLENGE)
    found = token_finding(OUT, anon, identify(anon), anon, identify(anon), TOKEN)
    assert (found.check, found.status) == ("probe", Severity.FAIL)
    assert found.evidence["fingerprint"] == fingerprint(TOKEN)
    assert found.evidence["verdict"] == "authorization_stripped"


def test_a_token_that_is_accepted_is_ok_and_names_the_anonymous_answer() -> None:
    anon, authed = _answer(401, CHALLENGE), _answer(200)
    found = token_finding(OUT, anon, identify(anon), authed, identify(authed), TOKEN)
    assert (found.status, found.title) == (Severity.OK, "The token is accepted: HTTP 200")
    assert "HTTP 401" in found.detail


def test_insufficient_scope_is_a_scope_verdict() -> None:
    anon = _answer(401, CHALLENGE)
    authed = _answer(403, {"www-authenticate": 'Bearer error="insufficient_scope", scope="write"'})
    found = token_finding(OUT, anon, identify(anon), authed, identify(authed), TOKEN)
    assert found.status is Severity.FAIL
    assert found.evidence["verdict"] == "scope_missing"
    assert "`write`" in found.title


def test_an_open_endpoint_and_a_refusal_without_a_token() -> None:
    open_answer = _answer(200)
    found = anonymous_finding(OUT, URL, open_answer, identify(open_answer), has_token=True)
    assert found.status is Severity.WARN
    assert found.evidence["without_token"]["status"] == 200
    refused = _answer(401, CHALLENGE)
    found = anonymous_finding(OUT, URL, refused, identify(refused), has_token=False)
    assert found.status is Severity.FAIL
    assert found.title.startswith("No token was sent")
