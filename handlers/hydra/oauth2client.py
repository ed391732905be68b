"""The OAuth2Client reader: the resource hydra-maester reconciles and the Secret it writes.

`client` reads one OAuth2Client by name; `diagnose` looks for the one whose Secret holds the
token's client id. Both read through these functions, so the spellings of the Secret's keys and
the resource's fields are read one way. Values from the Secret are returned to the caller only:
never logged, never put in an exception.
"""

from __future__ import annotations

import asyncio
from typing import Any

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.observation import Seen
from handlers.kube.observe import KubeUnknown, observe
from handlers.oauth import credentials

GROUP, VERSION, PLURAL = "hydra.ory.sh", "v1alpha1", "oauth2clients"
RESOURCE = (GROUP, VERSION, PLURAL)


def _maester_spellings(keys: tuple[str, ...], name: str) -> tuple[str, ...]:
    """The spellings hydra-maester writes (of the one list in `oauth.credentials`), upper case
    first: it writes `CLIENT_ID` since v0.0.31 and reads that before the older lower case."""
    return tuple(sorted((k for k in keys if k.lower() == name), key=str.islower))


#: `CLIENT_ID`, `client_id`: what hydra-maester writes, in the order it reads them.
ID_KEYS = _maester_spellings(credentials.ID_KEYS, "client_id")
#: `CLIENT_SECRET`, `client_secret`.
SECRET_KEYS = _maester_spellings(credentials.SECRET_KEYS, "client_secret")
#: At most this many OAuth2Client Secrets are read when looking for a client id.
MAX_SECRET_READS = 25

REGISTRATION_REMEDY = (
    "hydra-maester did not (or no longer) register this client: read its logs (`kubectl logs -n "
    "{ns} -l app.kubernetes.io/name=hydra-maester -c hydra-maester`), restart the hydra-maester "
    "Pod to force a reconcile, and make sure Hydra reaches its database (`hydra`; an "
    "in-memory Hydra forgets every client on restart)."
)


def resource_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def spec_scopes(spec: dict[str, Any]) -> list[str]:
    """`scopeArray` wins over the deprecated space-separated `scope`."""
    arr = spec.get("scopeArray")
    if isinstance(arr, list) and arr:
        return [str(s) for s in arr]
    return str(spec.get("scope") or "").split()


def pick(
    data: dict[str, str], keys: tuple[str, ...], *, skip_empty: bool = False
) -> tuple[str | None, str | None]:
    """The first of `keys` the Secret holds, and its value; `skip_empty` passes over empty ones."""
    for key in keys:
        if key in data and not (skip_empty and not data[key]):
            return key, data[key]
    return None, None


async def read(ctx: CheckContext, ns: str, name: str) -> dict[str, Any]:
    """The OAuth2Client `ns/name`; raises `kube.KubeError` (KubeNotFound when absent)."""
    return await kube.get_custom_object(ctx, GROUP, VERSION, ns, PLURAL, name)


async def read_secret(ctx: CheckContext, ns: str, secret_name: str) -> dict[str, str]:
    """The Secret's data, with the client id shown in errors as public (never the secret)."""
    return await kube.read_secret(ctx, ns, secret_name, public_keys=ID_KEYS)


async def _candidates(ctx: CheckContext, owner: str) -> list[dict[str, Any]]:
    """The resource Hydra's `owner` (`name/namespace`) names, else every OAuth2Client."""
    name, sep, ns = owner.partition("/")
    if sep and name and ns:
        try:
            return [await read(ctx, ns, name)]
        except kube.KubeNotFound:
            pass
    return await kube.list_custom_objects(ctx, GROUP, VERSION, "", PLURAL)


async def _secret_of(ctx: CheckContext, obj: dict[str, Any]) -> Seen[dict[str, str]] | KubeUnknown:
    """The resource's Secret data; `Seen({})` when it names none or the Secret is absent."""
    meta = obj.get("metadata") or {}
    secret_name = str(resource_spec(obj).get("secretName") or "")
    if not secret_name:
        return Seen({})
    seen = await observe(read_secret(ctx, str(meta.get("namespace", "")), secret_name))
    if isinstance(seen, KubeUnknown) and isinstance(seen.error, kube.KubeNotFound):
        return Seen({})
    return seen


async def find_by_client_id(
    ctx: CheckContext, client_id: str, owner: str
) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The OAuth2Client whose Secret holds `client_id`, and that Secret's data: by Hydra's
    `owner`, else by scanning the resources' Secrets (at most MAX_SECRET_READS). None when no
    Secret holds it. Raises `kube.KubeNotFound` when the resource type is not served, and the
    first other `kube.KubeError` met when no Secret matched."""
    shortlist = (await _candidates(ctx, owner))[:MAX_SECRET_READS]
    secrets = await asyncio.gather(*(_secret_of(ctx, o) for o in shortlist))
    failures: list[KubeUnknown] = []
    for obj, seen in zip(shortlist, secrets, strict=True):
        if isinstance(seen, KubeUnknown):
            failures.append(seen)
            continue
        if (pick(seen.value, ID_KEYS, skip_empty=True)[1] or "").strip() == client_id:
            return obj, seen.value
    if failures:
        raise failures[0].error or kube.KubeError(failures[0].reason)
    return None
