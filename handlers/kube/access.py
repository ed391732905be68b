"""The connection to the API server: in-cluster or a kubeconfig, one ApiClient per job, and every
call run in a thread (the official client is synchronous) with its failures translated into
`handlers.kube.errors`; messages name the call, never a value from a body."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from handlers.kube.errors import (
    KubeError,
    KubeForbidden,
    KubeNotConfigured,
    KubeNotFound,
    KubeUnreachable,
    kubectl_resource,
)

if TYPE_CHECKING:
    from handlers.core.check import CheckContext

T = TypeVar("T")


@dataclass
class KubeAccess:
    """One ApiClient per job: the kubernetes client is built once and shared by its checks."""

    api_client: Any
    source: str

    def close(self) -> None:
        """Releases the connection pool; safe to call twice."""
        with contextlib.suppress(Exception):  # best effort, nothing to report
            self.api_client.close()


#: Where kubectl looks when KUBECONFIG is unset (`~` is the HOME of the process).
DEFAULT_KUBECONFIG = os.path.join("~", ".kube", "config")


def kubeconfig_path(kubeconfig: str | None) -> str | None:
    """KUBECONFIG when set; otherwise `~/.kube/config` if it exists, as kubectl does — so a bot
    or CLI run on a laptop or a bastion uses the cluster the operator's kubectl uses."""
    if kubeconfig:
        return kubeconfig
    default = os.path.expanduser(DEFAULT_KUBECONFIG)
    return default if os.path.isfile(default) else None


def _load(kubeconfig: str | None) -> KubeAccess:
    """Builds the ApiClient: in-cluster first (that is where the bot runs), then KUBECONFIG,
    then `~/.kube/config`."""
    from kubernetes import client
    from kubernetes import config as _config
    from kubernetes.config.config_exception import ConfigException

    config: Any = _config  # the loaders are untyped

    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        cfg = client.Configuration()
        try:
            config.load_incluster_config(client_configuration=cfg)
        except ConfigException as exc:
            raise KubeNotConfigured(
                f"in-cluster configuration is incomplete ({exc})", action="load config"
            ) from None
        cfg.retries = 0
        return KubeAccess(client.ApiClient(cfg), "in-cluster ServiceAccount")
    kubeconfig = kubeconfig_path(kubeconfig)
    if not kubeconfig:
        raise KubeNotConfigured(
            "no Kubernetes configuration: not running in a pod, KUBECONFIG is not set and "
            f"{DEFAULT_KUBECONFIG} does not exist",
            action="load config",
        )
    if not os.path.isfile(kubeconfig):
        raise KubeNotConfigured(
            f"KUBECONFIG points at {kubeconfig}, which is not a readable file",
            action="load config",
        )
    cfg = client.Configuration()
    try:
        config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    except (ConfigException, OSError, ValueError) as exc:
        raise KubeNotConfigured(
            f"the kubeconfig at {kubeconfig} could not be used ({type(exc).__name__})",
            action="load config",
        ) from None
    # A refused connection should surface at once as `error`, not after urllib3's retries.
    cfg.retries = 0
    return KubeAccess(client.ApiClient(cfg), f"kubeconfig {kubeconfig}")


def access(ctx: CheckContext) -> KubeAccess:
    """The job's KubeAccess, built on first use and cached on the context."""
    if ctx.kube is None:
        ctx.kube = _load(ctx.settings.kubeconfig)
    return ctx.kube


def translate(
    exc: Exception, *, verb: str, resource: str, group: str, namespace: str, name: str
) -> KubeError:
    """Maps a client exception to our hierarchy; messages name the call, never a body value."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError as Urllib3Error

    where = f"in namespace {namespace}" if namespace else "in all namespaces"
    kind = kubectl_resource(resource, group)
    target = f"{kind} {name}" if name else kind
    what = f"{verb} {target} {where}"
    if isinstance(exc, ApiException):
        status = int(exc.status or 0)
        if status == 403:
            return KubeForbidden(
                f"the API server refused to {what} (403 Forbidden)",
                verb=verb,
                resource=resource,
                group=group,
                namespace=namespace,
            )
        if status == 404:
            return KubeNotFound(f"{target} not found {where} (404)", action=what)
        if status == 401:
            return KubeError(
                f"the API server rejected authcheck's credentials (401) trying to {what}",
                action=what,
            )
        if status == 0:  # the client could not read the answer (e.g. an unexpected type)
            return KubeError(f"unreadable answer from the API server trying to {what}", action=what)
        return KubeError(f"the API server answered {status} trying to {what}", action=what)
    if isinstance(exc, Urllib3Error | OSError | TimeoutError):
        return KubeUnreachable(
            f"could not reach the API server to {what} ({type(exc).__name__})", action=what
        )
    return KubeError(f"could not {what} ({type(exc).__name__})", action=what)


async def api_call(
    ctx: CheckContext,
    fn: Callable[[KubeAccess], T],
    *,
    verb: str,
    resource: str,
    namespace: str,
    group: str = "",
    name: str = "",
) -> T:
    """Runs `fn` with the job's client in a thread; any failure becomes a `KubeError`."""
    kube = access(ctx)
    try:
        return await asyncio.to_thread(fn, kube)
    except KubeError:
        raise
    except Exception as exc:
        raise translate(
            exc, verb=verb, resource=resource, group=group, namespace=namespace, name=name
        ) from None
