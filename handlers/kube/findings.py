"""The standard finding for a Kubernetes failure that is not a verdict on the object."""

from __future__ import annotations

from handlers.core.model import Finding, Severity
from handlers.kube.errors import (
    HOW_TO_CONFIGURE,
    KubeError,
    KubeForbidden,
    KubeNotConfigured,
    KubeUnreachable,
    kubectl_resource,
)


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
            f"authcheck may not {exc.verb} {kubectl_resource(exc.resource, exc.group)} "
            f"{where}{about}",
            f"{exc.message}. This says nothing about whether the object exists.",
            f"Grant authcheck's ServiceAccount a Role {where} with rule "
            f"{{{exc.rbac_rule}}} (check with `kubectl auth can-i {exc.verb} "
            f"{kubectl_resource(exc.resource, exc.group)} -n {exc.namespace or '<ns>'} "
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
