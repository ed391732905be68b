"""Reading APIRules from the cluster and the key ids of the JWKS their rules name.

Kyma serves APIRules in several versions; a rule is read in the version it was written in
(the `gateway.kyma-project.io/original-version` annotation), because a v1beta1 rule read as v2
loses its Oathkeeper handlers. `apirule` reads one rule by name, `diagnose` reads them all to
find the one for a URL; both read here, and both fetch JWKS key ids with `fetch_kids`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.observation import Seen
from handlers.kube.observe import KubeUnknown, observe
from handlers.kyma import apirule as apirules
from handlers.kyma.apirule import ApiRule
from handlers.net.client import http as http_client
from handlers.net.send import describe

ORIGINAL_VERSION = "gateway.kyma-project.io/original-version"


def _original(obj: dict[str, Any]) -> str:
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(ORIGINAL_VERSION) or "")


async def read_apirule(ctx: CheckContext, ns: str, name: str) -> dict[str, Any]:
    """The object in its original version when known, else the newest version served."""
    last: kube.KubeNotFound | None = None
    for version in apirules.VERSIONS:
        try:
            obj = await kube.get_custom_object(
                ctx, apirules.GROUP, version, ns, apirules.PLURAL, name
            )
        except kube.KubeNotFound as exc:
            last = exc
            continue
        original = _original(obj)
        if original and original != version and original in apirules.VERSIONS:
            try:
                return await kube.get_custom_object(
                    ctx, apirules.GROUP, original, ns, apirules.PLURAL, name
                )
            except kube.KubeNotFound:
                return obj
        return obj
    assert last is not None
    raise last


async def _list_version(
    ctx: CheckContext, version: str
) -> Seen[list[dict[str, Any]]] | KubeUnknown:
    return await observe(
        kube.list_custom_objects(ctx, apirules.GROUP, version, "", apirules.PLURAL)
    )


async def list_apirules(ctx: CheckContext) -> list[ApiRule] | None:
    """Every APIRule in the cluster, each parsed in its original version; None when no version
    of the resource type is served. Raises the first `kube.KubeError` other than not-found."""
    results = await asyncio.gather(*(_list_version(ctx, v) for v in apirules.VERSIONS))
    by_ref: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    served = False
    for version, result in zip(apirules.VERSIONS, results, strict=True):
        if isinstance(result, KubeUnknown):
            if isinstance(result.error, kube.KubeNotFound):
                continue  # this version of the resource type is not served
            raise result.error or kube.KubeError(result.reason)
        served = True
        for obj in result.value:
            meta = obj.get("metadata") or {}
            ref = (str(meta.get("namespace", "")), str(meta.get("name", "")))
            by_ref.setdefault(ref, {})[version] = obj
    if not served:
        return None
    chosen: list[ApiRule] = []
    for versions in by_ref.values():
        original = _original(next(iter(versions.values())))
        obj = versions.get(original) or next(
            versions[v] for v in apirules.VERSIONS if v in versions
        )
        chosen.append(apirules.parse(obj))
    return chosen


async def fetch_kids(
    ctx: CheckContext, urls: list[str]
) -> tuple[dict[str, frozenset[str]], list[tuple[str, str]]]:
    """Key ids per JWKS URL, and (url, reason) for each one that could not be read."""
    kids: dict[str, frozenset[str]] = {}
    failed: list[tuple[str, str]] = []
    async with http_client(ctx) as http:
        for url in urls:
            try:
                response = await http.get(url, headers={"Accept": "application/json"})
            except (httpx.HTTPError, OSError) as exc:
                failed.append((url, describe(exc, url, ctx.settings.timeout)))
                continue
            if response.status_code != 200:
                failed.append((url, f"{url} answered {response.status_code}"))
                continue
            try:
                keys = json.loads(response.content).get("keys")
            except (ValueError, AttributeError):
                failed.append((url, f"{url} did not return a JWKS (JSON with `keys`)"))
                continue
            kids[url] = frozenset(
                str(k["kid"]) for k in keys or [] if isinstance(k, dict) and "kid" in k
            )
    return kids, failed
