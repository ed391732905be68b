"""Ranking over hand-built facts: the root cause leads, close calls stay open, steps that did not
run are never evidence and only outrank the verdict when nothing was decided."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.core.model import Severity
from handlers.diagnosis import ranking
from handlers.diagnosis.causes.hydra import maester_wrong_endpoint
from handlers.diagnosis.facts import ERROR, OK, ClientFacts, Facts, MaesterFacts, Step
from handlers.tokens.info import view
from tests.fakes.jwts import make_jwt

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def facts(token: str | None = None, **fields: object) -> Facts:
    f = Facts(url="https://orders.example.com/orders/1", method="GET", token=token, now=NOW)
    if token is not None:
        f.token_view = view(token)
    for key, value in fields.items():
        setattr(f, key, value)
    return f


def expired_token() -> str:
    now = int(NOW.timestamp())
    return make_jwt({"iss": "https://i/", "exp": now - 600, "iat": now - 4000, "scp": ["read"]})


def test_root_cause_outranks_what_it_explains() -> None:
    f = facts(
        client=ClientFacts(client_id="orders", missing_in_hydra=True),
        maester=MaesterFacts(endpoints=["/clients"]),
        hydra_version="v2.2.0",
    )
    ranked = ranking.rank(f)
    assert [r.cause.id for r in ranked] == ["maester_wrong_endpoint", "client_not_registered"]
    assert ranked[1].explained_by == "maester_wrong_endpoint"
    assert ranking.singled_out(ranked)


def test_maester_on_v1_paths_is_fine_against_hydra_v1() -> None:
    f = facts(maester=MaesterFacts(endpoints=["/clients"]), hydra_version="v1.11.10")
    assert maester_wrong_endpoint(f) is None


def test_expired_token_is_named_and_failed_steps_become_skip() -> None:
    f = facts(expired_token())
    f.steps["hydra"] = Step("hydra", ERROR, "connection refused", "point it at Hydra")
    out = ranking.findings(f)
    assert out[0].evidence["cause"] == "token_expired"
    assert out[0].status is Severity.FAIL
    hydra = next(x for x in out if "hydra" in (x.evidence.get("steps") or {}))
    assert hydra.status is Severity.SKIP  # the verdict did not depend on it
    assert hydra.title == "Not checked: hydra"
    assert "point it at Hydra" in hydra.remedy


def test_close_call_stays_open_and_errors_show() -> None:
    f = facts(expired_token(), introspection={"active": False}, introspected_at="http://h")
    f.client = ClientFacts(client_id="orders", missing_in_hydra=True)
    f.steps["apirule"] = Step("apirule", ERROR, "forbidden", "grant the bot `list apirules`")
    f.steps["probe"] = Step("probe", OK, "fine")
    out = ranking.findings(f)
    assert out[0].status is Severity.WARN
    assert out[0].evidence["cause"] is None
    assert out[0].evidence["candidates"][:2] == ["client_not_registered", "token_expired"]
    assert "grant the bot `list apirules`" in out[0].remedy
    apirule = next(x for x in out if "apirule" in (x.evidence.get("steps") or {}))
    assert apirule.status is Severity.ERROR
    # The open finding lists its candidates; none of them comes again as "Also possible".
    listed = out[0].evidence["candidates"][:4]
    again = [x for x in out[1:] if x.evidence.get("cause") in listed]
    assert again == []


def test_steps_that_did_not_run_fold_into_one_line() -> None:
    f = facts(expired_token())
    f.steps["hydra"] = Step("hydra", ERROR, "connection refused", "point it at Hydra")
    f.steps["apirule"] = Step("apirule", "skip", "no cluster", "give authcheck cluster access")
    f.steps["client"] = Step("client", "skip", "no cluster", "give authcheck cluster access")
    out = ranking.findings(f)
    folded = [x for x in out if x.title.startswith("Not checked:")]
    assert len(folded) == 1
    assert folded[0].title == "Not checked: hydra, apirule, client"
    assert folded[0].remedy.count("give authcheck cluster access") == 1


def test_nothing_known_is_never_a_cause() -> None:
    """No probe, no cluster, no token: every step skipped, so no cause may be claimed."""
    f = facts()
    f.steps["probe"] = Step("probe", ERROR, "timed out", "make the URL reachable")
    out = ranking.findings(f)
    assert out[0].status is Severity.WARN
    assert out[0].evidence["candidates"] == []
    assert "give the token with --token" in out[0].evidence["would_decide"]
