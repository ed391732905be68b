"""Pastes people actually drop into an incident thread, and what must come out of them."""

from __future__ import annotations

import base64
import json
import shlex

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.paste import MAX_INPUT, MAX_ITEMS, MAX_PLANNED, extract, is_jwt, plan_commands


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


JWT = ".".join(
    [
        _b64({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
        _b64({"sub": "alice", "iss": "https://issuer.test/", "exp": 1_700_000_000}),
        "c2lnbmF0dXJlLW5vdC1yZWFsLWJ1dC1sb25nLWVub3VnaA",
    ]
)

CURL_V = f"""$ curl -v -H "Authorization: Bearer {JWT}" https://orders.example.com/api/v1/orders?limit=5
*   Trying 203.0.113.7:443...
* Connected to orders.example.com (203.0.113.7) port 443
> GET /api/v1/orders?limit=5 HTTP/1.1
> Host: orders.example.com
> User-Agent: curl/8.5.0
> Authorization: Bearer {JWT}
>
< HTTP/1.1 401 Unauthorized
< www-authenticate: Bearer realm="https://orders.example.com/api/v1/orders", error="invalid_token"
< content-length: 14
< date: Mon, 06 May 2024 10:00:00 GMT
< server: istio-envoy
<
Jwt is expired
"""

OATHKEEPER = (
    "< HTTP/2 401\n< content-type: application/json\n\n"
    '{"error":{"code":401,"status":"Unauthorized","request":"6f1c",'
    '"message":"Access credentials are invalid"}}'
)

ISTIO_403 = "HTTP/2 403 \ncontent-length: 19\ncontent-type: text/plain\n\nRBAC: access denied"

UAA_401 = """HTTP/1.1 401
WWW-Authenticate: Basic realm="UAA/client", error="unauthorized", \
error_description="Bad credentials"
Content-Type: application/json

{
  "error" : "unauthorized",
  "error_description" : "Bad credentials"
}"""

KUBECTL_LOG = (
    "2024-05-06T10:00:00.000Z\tERROR\terror processing client shop/orders-client\t"
    '{"controller": "oauth2client", "error": "POST http://ory-hydra-admin.kyma-system.svc.'
    "cluster.local:4445/clients returned unexpected status code: 400 "
    '{\\"error\\":\\"invalid_client_metadata\\",\\"error_description\\":\\"The value of '
    'one of the Client Metadata fields is invalid\\"}"}\n'
    "2024-05-06T10:00:05.000Z\tINFO\tSuccessfully Reconciled\t"
    '{"controller": "oauth2client", "request": "shop/other"}\n'
)

HYDRA_TOKEN = (
    "status code: 401\n"
    '{"error":"invalid_client","error_description":"Client authentication failed (e.g., '
    "unknown client, no client authentication included, or unsupported authentication "
    'method).","status_code":401}'
)


def test_curl_verbose_401() -> None:
    ev = extract(CURL_V)
    assert ev.status == 401
    assert ev.www_authenticate == [
        'Bearer realm="https://orders.example.com/api/v1/orders", error="invalid_token"'
    ]
    assert ev.jwts == [JWT]
    assert ev.authorization_headers == [f"Bearer {JWT}"]
    assert ev.urls[0] == "https://orders.example.com/api/v1/orders?limit=5"
    assert ev.gatekeeper_texts == ["Jwt is expired"]

    plan = plan_commands(ev)
    assert plan[0] == f"decode {JWT}"
    assert "explain 401" in plan
    assert "explain invalid_token" in plan
    probe = next(p for p in plan if p.startswith("probe "))
    assert shlex.split(probe) == [
        "probe",
        "https://orders.example.com/api/v1/orders?limit=5",
        "--token",
        JWT,
    ]
    assert len(plan) <= MAX_PLANNED


def test_secrets_cover_token_and_header() -> None:
    ev = extract(CURL_V)
    assert JWT in ev.secrets()
    assert f"Bearer {JWT}" in ev.secrets()


def test_oathkeeper_json() -> None:
    ev = extract(OATHKEEPER)
    assert ev.status == 401
    assert ev.oauth_errors == [
        {
            "error": "Unauthorized",
            "error_description": "Access credentials are invalid",
            "code": "401",
        }
    ]
    assert "Access credentials are invalid" in ev.gatekeeper_texts
    assert plan_commands(ev) == ["explain 401"]


def test_istio_rbac_denied_with_and_without_status_line() -> None:
    ev = extract(ISTIO_403)
    assert ev.status == 403
    assert ev.gatekeeper_texts == ["RBAC: access denied"]
    assert plan_commands(ev) == ["explain 403"]
    # Only the body pasted: the text alone says it was a 403 from Istio.
    bare = extract("rbac: ACCESS denied")
    assert bare.status is None
    assert bare.gatekeeper_texts == ["RBAC: access denied"]
    assert plan_commands(bare) == ["explain 403"]


def test_uaa_401_pretty_printed_json() -> None:
    ev = extract(UAA_401)
    assert ev.status == 401
    assert ev.www_authenticate[0].startswith('Basic realm="UAA/client"')
    assert {"error": "unauthorized", "error_description": "Bad credentials"} in ev.oauth_errors
    assert "Bad credentials" in ev.gatekeeper_texts
    assert plan_commands(ev) == ["explain 401", "explain unauthorized"]


def test_kubectl_log_with_escaped_json() -> None:
    ev = extract(KUBECTL_LOG)
    assert ev.status == 400
    codes = [e["error"] for e in ev.oauth_errors]
    assert "invalid_client_metadata" in codes
    nested = next(e for e in ev.oauth_errors if e["error"] == "invalid_client_metadata")
    assert nested["error_description"].startswith("The value of one of the Client Metadata")
    assert ev.urls == ["http://ory-hydra-admin.kyma-system.svc.cluster.local:4445/clients"]
    assert "explain invalid_client_metadata" in plan_commands(ev)


def test_hydra_client_authentication_failed() -> None:
    ev = extract(HYDRA_TOKEN)
    assert ev.status == 401
    assert ev.oauth_errors[0]["error"] == "invalid_client"
    assert ev.oauth_errors[0]["error_description"].startswith("Client authentication failed")
    assert "Client authentication failed" in ev.gatekeeper_texts
    assert plan_commands(ev) == ["explain 401", "explain invalid_client"]


def test_status_prefers_auth_codes_over_redirects() -> None:
    ev = extract("< HTTP/1.1 302 Found\n< location: /login\n< HTTP/1.1 403 Forbidden\n")
    assert ev.status == 403
    assert extract("upstream said 503 Service Unavailable").status == 503
    assert extract('{"statusCode": 401}').status == 401
    assert extract("nothing to see here").status is None


def test_query_string_error_and_json_escaped_challenge() -> None:
    ev = extract(
        "redirected to https://app.test/cb?error=access_denied&error_description=User+denied\n"
        '{"headers": {"WWW-Authenticate": "Bearer error=\\"insufficient_scope\\", '
        'scope=\\"orders.read\\""}}'
    )
    assert {"error": "access_denied", "error_description": "User denied"} in ev.oauth_errors
    assert ev.www_authenticate == ['Bearer error="insufficient_scope", scope="orders.read"']
    plan = plan_commands(ev)
    assert "explain access_denied" in plan
    assert "explain insufficient_scope" in plan


def test_opaque_bearer_token_is_probed_and_linted() -> None:
    ev = extract("curl -H 'Authorization: Bearer ory_at_abcDEF123.xyz' https://api.test/x")
    assert ev.jwts == []
    assert ev.authorization_headers == ["Bearer ory_at_abcDEF123.xyz"]
    assert plan_commands(ev) == [
        "probe https://api.test/x --token ory_at_abcDEF123.xyz",
        "header Bearer ory_at_abcDEF123.xyz",
    ]


def test_truncated_jwt_is_still_found_for_decode() -> None:
    truncated = JWT.rsplit(".", 1)[0]
    ev = extract(f"token={truncated}")
    assert ev.jwts == [truncated]
    assert is_jwt(JWT)
    assert not is_jwt("eyJhbGciOi")


def test_nothing_found_plans_nothing() -> None:
    ev = extract("the deploy went fine, thanks all")
    assert ev.empty
    assert plan_commands(ev) == []


def test_plan_is_deduplicated_and_bounded() -> None:
    many = "\n".join(
        f'HTTP/1.1 401\n{{"error":"invalid_{i}"}}\nhttps://h{i}.test/ eyJ{i}aaaa.eyJbbb.sig'
        for i in range(30)
    )
    ev = extract(many)
    assert len(ev.oauth_errors) <= MAX_ITEMS
    assert len(ev.urls) <= MAX_ITEMS
    plan = plan_commands(ev)
    assert len(plan) == MAX_PLANNED
    assert len(set(plan)) == len(plan)


def test_forty_thousand_character_paste() -> None:
    noise = "2024-05-06T10:00:00Z INFO request handled in 12ms path=/healthz\n"
    text = CURL_V + noise * (MAX_INPUT // len(noise))
    assert len(text) > MAX_INPUT
    ev = extract(text)
    assert ev.status == 401
    assert ev.jwts == [JWT]
    # Anything past the bound is ignored, not scanned.
    late = extract("x" * MAX_INPUT + " RBAC: access denied")
    assert late.gatekeeper_texts == []


ADVERSARIAL = [
    "eyJ-" * 10_000,
    "eyJa." * 8_000,
    '"error":"' * 4_000,
    '{"error":{' * 4_000,
    "http://" * 6_000,
    "401 " + " " * 39_000,
    "www-authenticate: " * 2_000,
    '{"error":"x"}' * 3_000,
    "Authorization: " * 3_000,
    "status code: " * 3_000,
    "\\" * 40_000,
]


def test_adversarial_inputs_give_bounded_answers() -> None:
    """Inputs built to make regexes backtrack. How long they take is measured, not asserted,
    by `bench/paste_parser.py`; here they must simply come back with bounded output."""
    for text in ADVERSARIAL:
        ev = extract(text)
        assert len(ev.oauth_errors) <= MAX_ITEMS
        assert len(plan_commands(ev)) <= 5


_PIECES = st.sampled_from(
    [
        "HTTP/1.1 ",
        "401",
        "403",
        " Unauthorized",
        "www-authenticate:",
        "Authorization:",
        " Bearer ",
        '"error"',
        ":",
        '"',
        "\\",
        "{",
        "}",
        "eyJ",
        ".",
        "https://",
        "curl ",
        "\n",
        "RBAC: access denied",
        "error=",
        "status code: ",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=80))
def test_fuzz_never_raises_and_stays_bounded(parts: list[str]) -> None:
    ev = extract("".join(parts))
    for items in (
        ev.www_authenticate,
        ev.gatekeeper_texts,
        ev.jwts,
        ev.urls,
        ev.authorization_headers,
        ev.oauth_errors,
    ):
        assert len(items) <= MAX_ITEMS
    assert all(len(v) <= 2_000 for v in ev.www_authenticate + ev.urls + ev.jwts)
    assert ev.status is None or 100 <= ev.status <= 599
    plan = plan_commands(ev)
    assert len(plan) <= MAX_PLANNED
    assert len(set(plan)) == len(plan)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2_000))
def test_fuzz_arbitrary_unicode(text: str) -> None:
    ev = extract(text)
    assert isinstance(plan_commands(ev), list)
