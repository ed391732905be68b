"""Read-only access to the Kubernetes API for the cluster checks.

The runbook's kubectl, base64 and log reading, done with the official `kubernetes` client. That
client is synchronous, so every call runs in a thread with a per-call timeout of
AUTHCHECK_TIMEOUT. Errors are translated into a small hierarchy so checks can keep `fail` (the
thing is wrong) apart from `error` (we could not find out): a 403 names the RBAC permission that
is missing instead of pretending the object does not exist, and no message ever carries a value
read from a Secret.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from handlers.core.model import Finding, Severity

if TYPE_CHECKING:
    from handlers.core.check import CheckContext

T = TypeVar("T")

#: How to point authcheck at a cluster; shown whenever no configuration was found.
HOW_TO_CONFIGURE = (
    "Run authcheck in the cluster (a pod with a ServiceAccount; in-cluster config is used when "
    "KUBERNETES_SERVICE_HOST is set) or set KUBECONFIG to a kubeconfig file for the cluster."
)


class KubeError(Exception):
    """Something went wrong talking to the API server; the message says what was tried."""

    def __init__(self, message: str, *, action: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.action = action


class KubeNotConfigured(KubeError):
    """No in-cluster environment and no usable KUBECONFIG: checks report `skip`."""


class KubeForbidden(KubeError):
    """403 from the API server: the bot's ServiceAccount lacks a permission."""

    def __init__(
        self, message: str, *, verb: str, resource: str, group: str, namespace: str
    ) -> None:
        super().__init__(message, action=f"{verb} {_kubectl_resource(resource, group)}")
        self.verb = verb
        self.resource = resource
        self.group = group
        self.namespace = namespace

    @property
    def rbac_rule(self) -> str:
        """The Role rule that would allow the call, ready to paste into a chart."""
        return (
            f'apiGroups: ["{self.group}"], resources: ["{self.resource}"], verbs: ["{self.verb}"]'
        )


class KubeNotFound(KubeError):
    """404: the object (or the resource type itself) does not exist; the caller decides."""


class KubeUnreachable(KubeError):
    """Connection refused, DNS, TLS or timeout: nothing is known about the object."""


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


def _translate(
    exc: Exception, *, verb: str, resource: str, group: str, namespace: str, name: str
) -> KubeError:
    """Maps a client exception to our hierarchy; messages name the call, never a body value."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError as Urllib3Error

    where = f"in namespace {namespace}" if namespace else "in all namespaces"
    kind = _kubectl_resource(resource, group)
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


async def _call(
    ctx: CheckContext,
    fn: Callable[[KubeAccess], T],
    *,
    verb: str,
    resource: str,
    namespace: str,
    group: str = "",
    name: str = "",
) -> T:
    kube = access(ctx)
    try:
        return await asyncio.to_thread(fn, kube)
    except KubeError:
        raise
    except Exception as exc:
        raise _translate(
            exc, verb=verb, resource=resource, group=group, namespace=namespace, name=name
        ) from None


def _decode(raw: str) -> str:
    """Secret data is base64; binary values (rare here) are kept as replacement characters."""
    try:
        return base64.b64decode(raw, validate=False).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return ""


async def read_secret(
    ctx: CheckContext, namespace: str, name: str, *, public_keys: Collection[str] = ()
) -> dict[str, str]:
    """Decoded data of a Secret; every value is registered with the redactor before returning.

    `public_keys` names keys whose values are not secret and are needed in the report (a client
    id, a token URL); everything else is scrubbed from any output, even if a check slips.
    """
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        return client.CoreV1Api(kube.api_client).read_namespaced_secret(
            name, namespace, _request_timeout=timeout
        )

    secret = await _call(ctx, call, verb="get", resource="secrets", namespace=namespace, name=name)
    data: dict[str, str] = {}
    for key, raw in (secret.data or {}).items():
        value = _decode(raw or "")
        if key not in public_keys:
            ctx.redactor.add(value)
            ctx.redactor.add(value.strip())
        data[key] = value
    return data


async def get_custom_object(
    ctx: CheckContext, group: str, version: str, namespace: str, plural: str, name: str
) -> dict[str, Any]:
    """One custom resource as plain JSON (camelCase keys, as kubectl shows it)."""
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        return client.CustomObjectsApi(kube.api_client).get_namespaced_custom_object(
            group, version, namespace, plural, name, _request_timeout=timeout
        )

    obj = await _call(
        ctx, call, verb="get", resource=plural, group=group, namespace=namespace, name=name
    )
    return dict(obj) if isinstance(obj, dict) else {}


async def list_custom_objects(
    ctx: CheckContext, group: str, version: str, namespace: str, plural: str
) -> list[dict[str, Any]]:
    """Every custom resource of a kind in a namespace, or in all namespaces when it is ""."""
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        api = client.CustomObjectsApi(kube.api_client)
        if namespace:
            return api.list_namespaced_custom_object(
                group, version, namespace, plural, _request_timeout=timeout
            )
        return api.list_cluster_custom_object(group, version, plural, _request_timeout=timeout)

    result = await _call(ctx, call, verb="list", resource=plural, group=group, namespace=namespace)
    items = result.get("items") if isinstance(result, dict) else None
    return [dict(i) for i in items or [] if isinstance(i, dict)]


async def list_pods(ctx: CheckContext, namespace: str, label_selector: str) -> list[dict[str, Any]]:
    """Pods matching a label selector, as plain JSON (camelCase keys)."""
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        pods = client.CoreV1Api(kube.api_client).list_namespaced_pod(
            namespace, label_selector=label_selector, _request_timeout=timeout
        )
        return kube.api_client.sanitize_for_serialization(pods)

    result = await _call(ctx, call, verb="list", resource="pods", namespace=namespace)
    items = result.get("items") if isinstance(result, dict) else None
    return [dict(i) for i in items or [] if isinstance(i, dict)]


async def pod_logs(
    ctx: CheckContext,
    namespace: str,
    pod: str,
    container: str,
    since_seconds: int | None = 3600,
    tail_lines: int | None = 2000,
) -> str:
    """Recent log text of one container (needs `get pods/log`)."""
    from kubernetes import client

    timeout = ctx.settings.timeout

    def call(kube: KubeAccess) -> Any:
        kwargs: dict[str, Any] = {"container": container, "_request_timeout": timeout}
        if since_seconds is not None:
            kwargs["since_seconds"] = since_seconds
        if tail_lines is not None:
            kwargs["tail_lines"] = tail_lines
        return client.CoreV1Api(kube.api_client).read_namespaced_pod_log(pod, namespace, **kwargs)

    text = await _call(ctx, call, verb="get", resource="pods/log", namespace=namespace, name=pod)
    return text if isinstance(text, str) else str(text or "")


def error_finding(check: str, exc: KubeError, *, subject: str = "") -> Finding:
    """The standard finding for a Kubernetes failure that is not a verdict on the object.

    Not configured → `error` (the command's subject could not be checked, so the answer must not
    read as "nothing wrong" nor exit 0) with how to configure; forbidden → `error` naming the RBAC
    rule; unreachable or anything else → `error` saying what was tried. `KubeNotFound` is the
    caller's to judge and is only mapped here as `error` when the caller has no better reading.
    (`diagnose` does not come here: there a cluster step that cannot run merely does not apply.)
    """
    about = f" ({subject})" if subject else ""
    if isinstance(exc, KubeNotConfigured):
        what = f"{subject}: " if subject else ""
        return Finding(
            check,
            Severity.ERROR,
            f"Could not check {what}Kubernetes is not configured",
            f"{exc.message}. This says nothing about the object itself.",
            HOW_TO_CONFIGURE,
        )
    if isinstance(exc, KubeForbidden):
        where = f"in namespace `{exc.namespace}`" if exc.namespace else "cluster-wide"
        return Finding(
            check,
            Severity.ERROR,
            f"authcheck may not {exc.verb} {_kubectl_resource(exc.resource, exc.group)} "
            f"{where}{about}",
            f"{exc.message}. This says nothing about whether the object exists.",
            f"Grant authcheck's ServiceAccount a Role {where} with rule "
            f"{{{exc.rbac_rule}}} (check with `kubectl auth can-i {exc.verb} "
            f"{_kubectl_resource(exc.resource, exc.group)} -n {exc.namespace or '<ns>'} "
            f"--as system:serviceaccount:<ns>:<authcheck-sa>`).",
            {
                "verb": exc.verb,
                "resource": exc.resource,
                "api_group": exc.group,
                "namespace": exc.namespace,
            },
        )
    if isinstance(exc, KubeUnreachable):
        return Finding(
            check,
            Severity.ERROR,
            f"Kubernetes API server unreachable{about}",
            exc.message,
            "Check the API server address in the kubeconfig / in-cluster environment and any "
            "NetworkPolicy on authcheck's egress.",
        )
    return Finding(
        check,
        Severity.ERROR,
        f"Kubernetes API call failed{about}",
        exc.message,
        "Retry; if it persists, check the API server and authcheck's credentials.",
    )


def _kubectl_resource(resource: str, group: str) -> str:
    """`secrets`, `pods/log`, `oauth2clients.hydra.ory.sh`: how kubectl and RBAC spell it."""
    return f"{resource}.{group}" if group else resource


def parse_ref(text: str | None, what: str = "object") -> tuple[str, str]:
    """`namespace/name` → (namespace, name); ValueError with a one-line reason otherwise."""
    value = (text or "").strip()
    namespace, sep, name = value.partition("/")
    if not sep or not namespace or not name or "/" in name:
        raise ValueError(f"expected <namespace>/<name> of the {what}, got {value!r}")
    return namespace, name


def validate_ref(param: str, what: str) -> Callable[[Any], None]:
    """A `Command.validate` that checks a `namespace/name` parameter."""

    def check(args: Any) -> None:
        parse_ref(args.text(param), what)

    return check
