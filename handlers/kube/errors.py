"""What can go wrong talking to the Kubernetes API, as a small hierarchy, so checks keep `fail`
(the thing is wrong) apart from `error` (we could not find out): a 403 names the RBAC permission
that is missing instead of pretending the object does not exist."""

from __future__ import annotations

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
        super().__init__(message, action=f"{verb} {kubectl_resource(resource, group)}")
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


def kubectl_resource(resource: str, group: str) -> str:
    """`secrets`, `pods/log`, `oauth2clients.hydra.ory.sh`: how kubectl and RBAC spell it."""
    return f"{resource}.{group}" if group else resource
