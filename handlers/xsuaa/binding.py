"""An SAP BTP service-operator binding Secret for XSUAA: reading it, and what its fields say.

The operator writes one key per field, or everything as JSON under `secretRootKey`. The binding's
credential type decides how a token is asked for: the client secret in the POST body (UAA takes
Basic credentials raw, so a `+`/`$`/`=` breaks URL-encoding clients), or mutual TLS against
`certurl` for x509 (`x509`). Every non-public value is registered with the redactor on reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers import kube
from handlers.core.check import CheckContext
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.redact import describe_secret
from handlers.net.answers import json_object
from handlers.oauth import client_auth, refusals
from handlers.oauth.destinations import Credentials, Destinations
from handlers.oauth.token_request import TokenAttempt
from handlers.xsuaa.x509 import url_of

CREDENTIAL_TYPES = ("binding-secret", "instance-secret", "x509")
#: Binding fields that are not secret and that the report names (URLs, ids, the certificate).
PUBLIC_FIELDS = frozenset(
    {
        "clientid",
        "url",
        "certurl",
        "uaadomain",
        "xsappname",
        "identityzone",
        "tenantid",
        "credential-type",
        "certificate",
        "verificationkey",
        "instance_name",
        "plan",
        "label",
        "type",
        "tenantmode",
        "zoneid",
        "subaccountid",
        "apiurl",
        "sburl",
        ".metadata",
    }
)


def credential_fields(data: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """The credential fields, and the root key when they sit as JSON under one key."""
    if "clientid" in data or "url" in data:
        return dict(data), None
    for key, value in data.items():
        parsed = json_object(value)
        if parsed and ("clientid" in parsed or "url" in parsed):
            return parsed, key
    return dict(data), None


@dataclass(frozen=True)
class Binding:
    """A binding Secret's credential fields, where they sat, and its name."""

    ref: str
    fields: dict[str, Any]
    root: str | None

    @property
    def url(self) -> str | None:
        return url_of(self.fields.get("url"))

    @property
    def credential_type(self) -> str:
        return str(self.fields.get("credential-type") or "")

    @property
    def is_x509(self) -> bool:
        f = self.fields
        return self.credential_type == "x509" or ("certificate" in f and "clientsecret" not in f)


async def read_binding(
    ctx: CheckContext, out: FindingBuilder, ns: str, name: str
) -> Binding | Finding:
    """The binding Secret's fields (secret values registered with the redactor), or the finding
    that says why it could not be read."""
    try:
        data = await kube.read_secret(ctx, ns, name, public_keys=PUBLIC_FIELDS)
    except kube.KubeNotFound:
        return out(
            Severity.FAIL,
            f"Secret `{ns}/{name}` does not exist",
            "The service operator writes it when the ServiceBinding is ready.",
            f"`kubectl get servicebindings -n {ns}`: the binding's `spec.secretName` and "
            "its status say whether it was created.",
        )
    except kube.KubeError as exc:
        return kube.error_finding(out.check, exc, subject=f"Secret {ns}/{name}")
    fields, root = credential_fields(data)
    for field in fields.keys() - PUBLIC_FIELDS:
        if isinstance(fields[field], str):
            ctx.redactor.add(fields[field])
    return Binding(f"{ns}/{name}", fields, root)


def summary(out: FindingBuilder, b: Binding) -> Finding:
    """What the binding is: its credential type, its layout, its app and server."""
    ctype = b.credential_type
    return out(
        Severity.INFO,
        f"Binding `{b.ref}`: credential type {ctype or '(not stated)'}",
        ("fields as JSON under `" + b.root + "` (secretRootKey)" if b.root else "flat keys")
        + f"; xsappname `{b.fields.get('xsappname', '?')}`; url `{b.url or '?'}`",
        keys=sorted(b.fields),
        secretRootKey=b.root,
    )


def not_xsuaa(out: FindingBuilder, b: Binding) -> Finding | None:
    """No `clientid` or no `url`: not an XSUAA binding, nothing more to check."""
    if isinstance(b.fields.get("clientid"), str) and b.url:
        return None
    missing = [k for k in ("clientid", "url") if not b.fields.get(k)]
    return out(
        Severity.FAIL,
        f"Not an XSUAA binding: no {' and no '.join(missing)}",
        f"Keys found: {', '.join(sorted(b.fields)) or '(none)'}.",
    )


def shape_findings(out: FindingBuilder, b: Binding, client_id: str) -> list[Finding]:
    """An unknown credential type, a client id with whitespace around it."""
    found = []
    if b.credential_type and b.credential_type not in CREDENTIAL_TYPES:
        found.append(out(Severity.WARN, f"Unknown credential type `{b.credential_type}`"))
    if client_id != client_id.strip():
        found.append(out(Severity.FAIL, "`clientid` has surrounding whitespace"))
    return found


def secret_findings(out: FindingBuilder, secret: str) -> list[Finding]:
    """Whitespace around the client secret, and characters that break Basic at UAA."""
    found = []
    special = client_auth.special_characters(secret)
    if secret != secret.strip():
        found.append(
            out(Severity.FAIL, "`clientsecret` has surrounding whitespace", describe_secret(secret))
        )
    if special:
        found.append(
            out(
                Severity.WARN,
                "`clientsecret` contains "
                + " ".join(f"`{c}`" for c in special)
                + ": Basic authentication breaks unless encoded the UAA way",
                "UAA takes Basic credentials raw unless the request carries "
                "`X-CF-ENCODED-CREDENTIALS: true`; clients that URL-encode (Spring Security "
                "5.6+, RFC 6749 §2.3.1) then send a different secret.",
                "Send `client_id`/`client_secret` in the POST body, or URL-encode them and add "
                "`X-CF-ENCODED-CREDENTIALS: true`.",
                secret=describe_secret(secret),
            )
        )
    return found


def bound_credentials(b: Binding, client_id: str, secret: str) -> Credentials:
    """The binding's credentials go to the server the same Secret names, and nowhere else."""
    return Credentials(
        client_id,
        secret,
        f"binding Secret {b.ref}",
        Destinations.of(
            f"named by binding Secret {b.ref} itself",
            [b.url, url_of(b.fields.get("certurl"))],
            [str(b.fields.get("uaadomain") or "")],
        ),
    )


def token_verdict(
    out: FindingBuilder, attempt: TokenAttempt, secret: str, token_url: str
) -> Finding:
    """The token request with the binding's secret in the POST body."""
    ev: dict[str, Any] = {"token_url": token_url, "method": "client_secret in POST body"}
    if attempt.ok:
        return out(Severity.OK, "Token request with the binding succeeded", "", "", **ev)
    if attempt.transport_error:
        return out(
            Severity.ERROR,
            "Could not reach XSUAA's token endpoint",
            attempt.transport_error,
            "Check that the bot reaches the binding's `url`.",
            **ev,
        )
    if not refusals.may_be_client_auth(attempt, secret):
        return _not_a_credential_refusal(out, attempt, ev)
    return out(
        Severity.FAIL,
        "XSUAA refused the binding's credentials",
        attempt.wording(),
        "The binding's secret is no longer valid (rotated, or the instance was "
        "recreated): recreate the ServiceBinding; check `credential-types`.",
        **ev,
    )


def _not_a_credential_refusal(
    out: FindingBuilder, attempt: TokenAttempt, ev: dict[str, Any]
) -> Finding:
    """The same reading of a refusal as the `token` command (handlers/oauth/refusals.py): the
    credentials are blamed only when client authentication can explain the answer."""
    if refusals.client_auth_passed(attempt):
        return out(
            Severity.FAIL,
            f"The binding authenticates, but the token request was refused: `{attempt.error}`",
            attempt.wording(),
            "The client may not use the client_credentials grant or the scopes asked for: check "
            "the `oauth2-configuration` (grant-types) in xs-security.json and update the "
            "service instance.",
            **ev,
        )
    return out(
        Severity.ERROR,
        "XSUAA's token endpoint did not answer like one",
        attempt.wording(),
        "Check the binding's `url` (the token endpoint is `<url>/oauth/token`) and XSUAA's "
        "health; nothing is known about the credentials.",
        **ev,
    )
