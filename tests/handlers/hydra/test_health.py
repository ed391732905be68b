"""The `hydra` command's judges, table-tested without I/O: a probe's answer in, findings out.

The answers follow Hydra's own: `/health/ready` answers 503 with `{"errors": {...}}` when the
database is unreachable (Ory's healthx handler), and a 404 on a health path means the URL is not
Hydra's admin API at all — an `error` about the setup, never "Hydra is not ready".
"""

from __future__ import annotations

import json

import pytest

from handlers.core.model import Severity
from handlers.hydra import health
from handlers.hydra.admin import Probe
from handlers.net.send import Answer

URL = "http://ory-hydra-admin.kyma-system.svc.cluster.local:4445/health/ready"


def probe(status: int | None, body: object = None, error: str | None = None) -> Probe:
    if status is None:
        return Probe(URL, None, error or "connection refused to " + URL)
    raw = json.dumps(body).encode() if body is not None else b""
    return Probe(URL, Answer(URL, status, {"date": "Sun, 29 Nov 2026 10:00:00 GMT"}, raw, 3), None)


@pytest.mark.parametrize(
    ("answer", "status", "title"),
    [
        (probe(200, {"status": "ok"}), Severity.OK, "Hydra is ready (database reachable)"),
        (
            probe(503, {"errors": {"database": "dial tcp 10.0.0.7:5432: connect: refused"}}),
            Severity.FAIL,
            "Hydra is not ready (503)",
        ),
        (probe(404, {"error": "Not Found"}), Severity.ERROR, "does not lead to Hydra"),
        (probe(None), Severity.ERROR, "Readiness not checked"),
    ],
)
def test_readiness(answer: Probe, status: Severity, title: str) -> None:
    finding = health.ready_finding("hydra-health", answer)
    assert finding.status is status
    assert title in finding.title


def test_the_database_error_is_named() -> None:
    body = {"errors": {"database": "dial tcp 10.0.0.7:5432: connect: refused"}}
    finding = health.ready_finding("hydra-health", probe(503, body))
    assert "database: dial tcp" in finding.detail


@pytest.mark.parametrize(
    ("answer", "stops", "status"),
    [
        (probe(200, {"status": "ok"}), False, Severity.OK),
        (probe(500, {}), False, Severity.FAIL),
        (probe(404, {}), True, Severity.ERROR),
        (probe(None), True, Severity.ERROR),
    ],
)
def test_liveness(answer: Probe, stops: bool, status: Severity) -> None:
    stop = health.alive_stop("hydra-health", answer)
    assert (stop is not None) is stops
    finding = stop or health.alive_finding("hydra-health", answer)
    assert finding.status is status


def test_the_version_names_the_admin_client_path() -> None:
    (finding,) = health.version_findings("hydra-health", probe(200, {"version": "v2.2.0"}))
    assert finding.evidence["clients_path"] == "/admin/clients"
    assert health.version_findings("hydra-health", probe(None)) == []
