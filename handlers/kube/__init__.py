"""Read-only access to the Kubernetes API for the cluster checks.

The runbook's kubectl, base64 and log reading, done with the official `kubernetes` client. That
client is synchronous, so every call runs in a thread with a per-call timeout of
AUTHCHECK_TIMEOUT. Errors are translated into a small hierarchy so checks can keep `fail` (the
thing is wrong) apart from `error` (we could not find out): a 403 names the RBAC permission that
is missing instead of pretending the object does not exist, and no message ever carries a value
read from a Secret. A gatherer reading several objects at once keeps each outcome as an
observation (`observe`: `Seen` or `KubeUnknown`).
"""

from __future__ import annotations

from handlers.kube.access import DEFAULT_KUBECONFIG, KubeAccess, access, kubeconfig_path
from handlers.kube.errors import (
    HOW_TO_CONFIGURE,
    KubeError,
    KubeForbidden,
    KubeNotConfigured,
    KubeNotFound,
    KubeUnreachable,
)
from handlers.kube.findings import error_finding
from handlers.kube.observe import KubeUnknown, observe
from handlers.kube.reads import (
    get_custom_object,
    list_custom_objects,
    list_pods,
    pod_logs,
    read_secret,
)
from handlers.kube.refs import parse_ref, validate_ref

__all__ = [
    "DEFAULT_KUBECONFIG",
    "HOW_TO_CONFIGURE",
    "KubeAccess",
    "KubeError",
    "KubeForbidden",
    "KubeNotConfigured",
    "KubeNotFound",
    "KubeUnknown",
    "KubeUnreachable",
    "access",
    "error_finding",
    "get_custom_object",
    "kubeconfig_path",
    "list_custom_objects",
    "list_pods",
    "observe",
    "parse_ref",
    "pod_logs",
    "read_secret",
    "validate_ref",
]
