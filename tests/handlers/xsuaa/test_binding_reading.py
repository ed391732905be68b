"""`xsuaa.binding` and `xsuaa.user_refusals`: the pure parts, table-tested without a cluster.

End to end (a fake cluster, a UAA with mutual TLS) is tests/handlers/commands/test_binding*.py
and test_token_password.py.
"""

from __future__ import annotations

import json
from dataclasses import replace

from handlers.core.findings import FindingBuilder
from handlers.core.model import Severity
from handlers.xsuaa.binding import Binding, credential_fields, not_xsuaa, secret_findings
from handlers.xsuaa.user_refusals import grant_not_allowed, user_failure
from tests.handlers.oauth.test_client_auth_verdicts import answer

OUT = FindingBuilder("binding")


def test_fields_under_a_secret_root_key_are_found() -> None:
    fields = {"clientid": "sb-app!t1", "url": "https://sub.authentication.eu10.example.com"}
    found, root = credential_fields({"credentials": json.dumps(fields), "other": "x"})
    assert (found, root) == (fields, "credentials")


def test_flat_keys_stay_flat() -> None:
    data = {"clientid": "sb-app!t1", "url": "https://uaa.example.com"}
    assert credential_fields(data) == (data, None)


def test_a_secret_without_clientid_is_not_an_xsuaa_binding() -> None:
    finding = not_xsuaa(OUT, Binding("ns/b", {"url": "https://uaa.example.com"}, None))
    assert finding is not None
    assert finding.status is Severity.FAIL
    assert finding.title == "Not an XSUAA binding: no clientid"


def test_a_plus_in_the_secret_warns_and_the_secret_is_not_shown() -> None:
    secret = "ab+cd$ef="
    (finding,) = secret_findings(OUT, secret)
    assert finding.status is Severity.WARN
    assert "`+`" in finding.title
    assert secret not in finding.title + finding.detail + str(finding.evidence)


def test_uaa_unauthorized_grant_type_means_the_client_may_not_use_it() -> None:
    refused = answer("post-body", 401, "invalid_client")
    assert not grant_not_allowed(refused, "password")
    assert grant_not_allowed(answer("post-body", 400, "unauthorized_client"), "password")


def test_a_locked_user_is_named() -> None:
    locked = replace(answer("post-body", 401, "unauthorized"), error_description="Account locked")
    finding = user_failure("token", locked, "jane", None, "sb-app", "Secret ns/p (key password)")
    assert finding.title == "User `jane` is locked"
    assert finding.evidence["user_side"] is True
