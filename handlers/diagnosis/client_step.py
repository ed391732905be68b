"""The `client`, `oauth2client` and `secret-proof` steps of `diagnose`: the OAuth2 client behind
the token, Hydra's registration of it, the OAuth2Client whose Secret holds its id, and a token
request with that Secret. Reads through `handlers.hydra` (admin API, the OAuth2Client reader),
as the `client` command does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.observation import Unknown
from handlers.diagnosis.facts import OK, Facts, kube_failure
from handlers.hydra import admin as hydra_admin
from handlers.hydra import oauth2client
from handlers.hydra.client_proof import auth_method
from handlers.hydra.oauth2client import ID_KEYS, SECRET_KEYS, pick
from handlers.oauth import client_auth
from handlers.oauth.destinations import Credentials, configured
from handlers.oauth.token_request import request_client_credentials


def client_id_of(facts: Facts) -> str | None:
    """The client the token names: `client_id`, `azp` or `cid`, in the JWT or introspection."""
    sources: list[dict[str, Any]] = []
    if facts.decoded is not None:
        sources.append(facts.decoded.claims)
    if facts.introspection:
        sources.append(facts.introspection)
    for claims in sources:
        for key in ("client_id", "azp", "cid"):
            value = claims.get(key)
            if isinstance(value, str) and value:
                return value
    return None


async def _registration(ctx: CheckContext, facts: Facts, client_id: str) -> bool:
    """Hydra's copy of the client; False when Hydra could not be asked."""
    step, client = facts.step("client"), facts.client
    lookup = await hydra_admin.get_client(ctx, client_id)
    if lookup.error:
        step.could_not_tell(
            Unknown(lookup.error, "point AUTHCHECK_HYDRA_ADMIN_URL at Hydra's admin port (4445)")
        )
        return False
    client.hydra = lookup.client
    client.missing_in_hydra = lookup.missing
    step.state = OK
    step.summary = (
        f"Hydra ({lookup.api}) knows client `{client_id}`"
        if lookup.found
        else f"Hydra ({lookup.api}) has no client `{client_id}`"
    )
    step.evidence = {"client_id": client_id, "owner": (lookup.client or {}).get("owner")}
    return True


async def _resource(
    ctx: CheckContext, facts: Facts, client_id: str
) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The OAuth2Client whose Secret holds the id, and the Secret's data."""
    step = facts.step("oauth2client")
    owner = str((facts.client.hydra or {}).get("owner") or "")
    try:
        found = await oauth2client.find_by_client_id(ctx, client_id, owner)
    except kube.KubeNotFound:
        step.summary = "the OAuth2Client resource type is not served by this cluster"
        return None
    except kube.KubeError as exc:
        kube_failure(step, exc)
        return None
    if found is None:
        step.state = OK
        step.summary = f"no OAuth2Client's Secret holds client id `{client_id}`"
    return found


async def _prove(ctx: CheckContext, facts: Facts, secret: str) -> None:
    """A client_credentials request with the Secret, as Hydra expects it (and raw in Basic, when
    URL-encoding would change the secret)."""
    client = facts.client
    assert client.hydra is not None
    assert client.secret_id is not None
    _, method = auth_method(client.hydra)
    url = hydra_admin.token_url(ctx)
    bound = Credentials(
        client.secret_id, secret, f"Secret {client.secret_ref}", configured(ctx.settings)
    )
    attempts = [request_client_credentials(ctx, url, bound, method=method)]
    if method == client_auth.BASIC_ENCODED and client_auth.encoding_matters(secret):
        attempts.append(request_client_credentials(ctx, url, bound, method=client_auth.BASIC_RAW))
    proofs = await asyncio.gather(*attempts)
    client.proof = proofs[0]
    client.raw_proof = proofs[1] if len(proofs) > 1 else None
    proof = facts.step("secret-proof")
    if client.proof.transport_error:
        proof.could_not_tell(
            Unknown(
                client.proof.transport_error,
                "point AUTHCHECK_HYDRA_PUBLIC_URL at Hydra's public port (4444)",
            )
        )
        client.proof = client.raw_proof = None
        return
    proof.state = OK
    proof.summary = f"token request with the Secret at {url}: {client.proof.wording()}"


async def _named_client(facts: Facts, introspected: asyncio.Task[None] | None) -> str | None:
    """The token's client id; an opaque token reveals it only through introspection."""
    client_id = client_id_of(facts)
    if client_id is None and introspected is not None:
        await asyncio.shield(introspected)
        client_id = client_id_of(facts)
    return client_id


async def client(ctx: CheckContext, facts: Facts, introspected: asyncio.Task[None] | None) -> None:
    step = facts.step("client")
    client = facts.client
    if facts.token is None:
        # Without a token there is no "token's client" to speak of (issue 17).
        step.summary, step.needs = "no token given", "give the token with --token"
        return
    client.client_id = await _named_client(facts, introspected)
    if client.client_id is None:
        step.summary = "the token names no client (`client_id`/`azp`)"
        step.needs = "give a JWT, or let authcheck introspect the token"
        return
    if not await _registration(ctx, facts, client.client_id):
        return
    found = await _resource(ctx, facts, client.client_id)
    if found is None:
        return
    client.resource, data = found
    spec = client.resource.get("spec") or {}
    namespace = str((client.resource.get("metadata") or {}).get("namespace", ""))
    client.secret_ref = f"{namespace}/{spec.get('secretName')}"
    client.secret_id = pick(data, ID_KEYS, skip_empty=True)[1]
    secret = pick(data, SECRET_KEYS, skip_empty=True)[1]
    res_step = facts.step("oauth2client")
    res_step.state = OK
    res_step.summary = f"OAuth2Client `{client.resource_ref}`, Secret `{client.secret_ref}`"
    if secret is None or client.hydra is None or client.secret_id is None:
        return
    client.special = client_auth.special_characters(secret)
    if "client_credentials" in (client.hydra.get("grant_types") or []):
        await _prove(ctx, facts, secret)
