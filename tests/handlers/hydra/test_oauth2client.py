"""The OAuth2Client reader shared by `client` and `diagnose` (handlers.hydra.oauth2client)."""

from __future__ import annotations

from typing import Any

import pytest

from handlers import kube as k8s
from handlers.hydra import oauth2client
from handlers.oauth import credentials
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

CLIENT_ID = "6f2c9a1e-0b5d-4e0c-9d0a-2f1c8b7e4a11"


def _resource(ns: str, name: str, secret: str) -> dict[str, Any]:
    return {
        "apiVersion": "hydra.ory.sh/v1alpha1",
        "kind": "OAuth2Client",
        "metadata": {"namespace": ns, "name": name},
        "spec": {"secretName": secret, "grantTypes": ["client_credentials"]},
    }


def test_spellings_are_hydra_maesters_from_the_one_list_upper_case_first() -> None:
    """hydra-maester writes CLIENT_ID since v0.0.31 and reads it before the lower case."""
    assert oauth2client.ID_KEYS == ("CLIENT_ID", "client_id")
    assert oauth2client.SECRET_KEYS == ("CLIENT_SECRET", "client_secret")
    assert set(oauth2client.ID_KEYS) <= set(credentials.ID_KEYS)
    assert set(oauth2client.SECRET_KEYS) <= set(credentials.SECRET_KEYS)


def test_pick_prefers_upper_case_and_can_skip_empty_values() -> None:
    data = {"client_id": "lower", "CLIENT_ID": ""}
    assert oauth2client.pick(data, oauth2client.ID_KEYS) == ("CLIENT_ID", "")
    assert oauth2client.pick(data, oauth2client.ID_KEYS, skip_empty=True) == ("client_id", "lower")
    assert oauth2client.pick({}, oauth2client.ID_KEYS) == (None, None)


def test_scope_array_wins_over_the_deprecated_scope() -> None:
    assert oauth2client.spec_scopes({"scopeArray": ["a", "b"], "scope": "c"}) == ["a", "b"]
    assert oauth2client.spec_scopes({"scope": "c d"}) == ["c", "d"]


async def test_find_by_client_id_scans_secrets_when_the_owner_is_unknown(kube: FakeKube) -> None:
    kube.add_object(*oauth2client.RESOURCE, _resource("apps", "other", "other-creds"))
    kube.add_object(*oauth2client.RESOURCE, _resource("apps", "orders", "orders-creds"))
    kube.add_secret("apps", "other-creds", {"CLIENT_ID": "someone-else", "CLIENT_SECRET": "x"})
    kube.add_secret("apps", "orders-creds", {"CLIENT_ID": CLIENT_ID + "\n", "CLIENT_SECRET": "y"})
    found = await oauth2client.find_by_client_id(kube.context(), CLIENT_ID, owner="")
    assert found is not None
    obj, data = found
    assert obj["metadata"]["name"] == "orders"
    assert data["CLIENT_ID"].strip() == CLIENT_ID


async def test_find_by_client_id_is_none_when_no_secret_holds_it(kube: FakeKube) -> None:
    kube.add_object(*oauth2client.RESOURCE, _resource("apps", "other", "other-creds"))
    kube.add_secret("apps", "other-creds", {"CLIENT_ID": "someone-else", "CLIENT_SECRET": "x"})
    assert await oauth2client.find_by_client_id(kube.context(), CLIENT_ID, owner="") is None


async def test_an_unreadable_secret_is_raised_not_taken_for_absent(kube: FakeKube) -> None:
    """Forbidden to read the Secrets: "could not tell", never "no OAuth2Client holds the id"."""
    kube.add_object(*oauth2client.RESOURCE, _resource("apps", "orders", "orders-creds"))
    kube.add_secret("apps", "orders-creds", {"CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": "y"})
    kube.forbid("get", "secrets", "apps")
    with pytest.raises(k8s.KubeForbidden):
        await oauth2client.find_by_client_id(kube.context(), CLIENT_ID, owner="")
