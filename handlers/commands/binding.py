"""`binding <namespace>/<secret>`: an SAP BTP service-operator binding Secret for XSUAA.

The XSUAA runbook's manual steps: read the binding (one key per field, or everything as JSON
under `secretRootKey`), see which credential type it is, spot secrets whose `+`/`$`/`=` break
Basic authentication at UAA, check an X.509 binding's certificate (validity window, key matches,
`certurl` not `url`), then request a token the right way: client secret in the POST body (UAA
takes Basic raw), or mutual TLS against `certurl` for x509. No value from the Secret is shown.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from handlers import kube
from handlers.core.check import Arguments, CheckContext, Command, Param
from handlers.core.model import Finding, Severity
from handlers.core.redact import describe_secret
from handlers.core.timefmt import utc
from handlers.net.answers import json_object, parse_oauth_error
from handlers.net.client import http as http_client
from handlers.net.send import describe
from handlers.oauth import client_auth, refusals
from handlers.oauth.destinations import Credentials, Destinations
from handlers.oauth.token_request import TokenAttempt, request_client_credentials

if TYPE_CHECKING:
    from cryptography import x509

CHECK = "binding"
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
#: A certificate closer than this to its end is a warning: rotation is due.
EXPIRY_WARN = timedelta(days=14)


def credentials(data: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """The credential fields, and the root key when they sit as JSON under one key."""
    if "clientid" in data or "url" in data:
        return dict(data), None
    for key, value in data.items():
        parsed = json_object(value)
        if parsed and ("clientid" in parsed or "url" in parsed):
            return parsed, key
    return dict(data), None


def _url(value: Any) -> str | None:
    return value.rstrip("/") if isinstance(value, str) and value.strip() else None


def _certificates(pem: str) -> list[x509.Certificate]:
    # cryptography's x509 is imported only for x509 bindings: it is slow to import, and `help`
    # and every other command would pay for it at start-up.
    from cryptography import x509

    return x509.load_pem_x509_certificates(pem.encode())


def _x509_findings(creds: dict[str, Any], ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    cert_pem, key_pem = creds.get("certificate"), creds.get("key")
    if not isinstance(cert_pem, str) or not isinstance(key_pem, str):
        missing = [k for k in ("certificate", "key") if not isinstance(creds.get(k), str)]
        return [
            Finding(
                CHECK,
                Severity.FAIL,
                f"x509 binding without {' and '.join(missing)}",
                "An X.509 binding authenticates with its certificate and private key.",
                "Recreate the binding (ServiceBinding) so the operator writes both.",
            )
        ]
    try:
        chain = _certificates(cert_pem)
    except ValueError:
        return [Finding(CHECK, Severity.FAIL, "The binding's certificate is not readable PEM")]
    leaf = chain[0]
    now = ctx.clock()
    start, end = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    window = f"valid {utc(start)} to {utc(end)}; subject {leaf.subject.rfc4514_string()}"
    if now < start:
        out.append(Finding(CHECK, Severity.FAIL, "The certificate is not valid yet", window))
    elif now > end:
        out.append(
            Finding(
                CHECK,
                Severity.FAIL,
                "The binding's certificate has expired",
                window,
                "Rotate the binding (the service operator's `credentialsRotationPolicy`, or "
                "delete and recreate the ServiceBinding).",
            )
        )
    elif end - now < EXPIRY_WARN:
        out.append(Finding(CHECK, Severity.WARN, "The certificate expires soon", window))
    else:
        out.append(Finding(CHECK, Severity.OK, "The certificate is within its validity", window))
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    except (ValueError, TypeError):
        out.append(Finding(CHECK, Severity.FAIL, "The binding's private key is not readable PEM"))
        return out
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    if key.public_key().public_bytes(enc, fmt) != leaf.public_key().public_bytes(enc, fmt):
        out.append(
            Finding(
                CHECK,
                Severity.FAIL,
                "The private key does not belong to the certificate",
                "The TLS handshake will fail: the key and the certificate come from different "
                "bindings or rotations.",
                "Recreate the binding; do not mix fields from two Secrets.",
            )
        )
    else:
        out.append(Finding(CHECK, Severity.OK, "The private key matches the certificate"))
    if not _url(creds.get("certurl")):
        out.append(
            Finding(
                CHECK,
                Severity.FAIL,
                "x509 binding without `certurl`",
                "Tokens for X.509 credentials are issued at `certurl` (the `.cert.` host) with "
                "mutual TLS; `url` does not ask for a client certificate.",
            )
        )
    else:
        out.append(
            Finding(
                CHECK,
                Severity.INFO,
                "Use `certurl` for token requests with this binding",
                f"`{_url(creds.get('certurl'))}/oauth/token` with mutual TLS, not `url` "
                f"(`{_url(creds.get('url'))}`).",
            )
        )
    return out


def _mtls_context(cert_pem: str, key_pem: str) -> ssl.SSLContext:
    """A client TLS context with the binding's certificate; files live only for this call."""
    context = ssl.create_default_context()
    with tempfile.TemporaryDirectory(prefix="authcheck-") as tmp:
        cert_path, key_path = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        for path, text in ((cert_path, cert_pem), (key_path, key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
        context.load_cert_chain(cert_path, key_path)
    return context


async def _mtls_token(
    ctx: CheckContext, url: str, client_id: str, creds: dict[str, Any]
) -> Finding:
    try:
        context = _mtls_context(str(creds["certificate"]), str(creds["key"]))
    except (ssl.SSLError, OSError) as exc:
        return Finding(
            CHECK,
            Severity.FAIL,
            "The certificate and key cannot be used for TLS",
            f"{type(exc).__name__}",
        )
    try:
        async with http_client(ctx, verify=context) as http:
            response = await http.post(
                url,
                data={"grant_type": "client_credentials", "client_id": client_id},
                headers={"Accept": "application/json"},
            )
    except (httpx.HTTPError, OSError, ssl.SSLError) as exc:
        return Finding(
            CHECK,
            Severity.ERROR,
            "Could not complete the mTLS token request",
            ctx.redactor.text(describe(exc, url, ctx.settings.timeout)),
            "Check that the bot reaches `certurl` and trusts its CA.",
            {"token_url": url},
        )
    data = json_object(response.content) or {}
    token = data.get("access_token")
    if response.status_code == 200 and isinstance(token, str):
        ctx.redactor.add(token)
        return Finding(
            CHECK,
            Severity.OK,
            "mTLS token request with the binding's certificate succeeded",
            f"POST {url} → 200",
            evidence={"token_url": url},
        )
    err = parse_oauth_error(response.content)
    wording = f"HTTP {response.status_code}" + (
        f" `{err.error}` “{err.description or ''}”" if err else ""
    )
    return Finding(
        CHECK,
        Severity.FAIL,
        "XSUAA refused the mTLS token request",
        ctx.redactor.text(wording),
        "The certificate is not (or no longer) the binding's: rotate or recreate the binding; "
        "check the instance's `credential-types` allows x509.",
        {"token_url": url, "status": response.status_code},
    )


class BindingCheck:
    name = CHECK

    async def run(self, args: Arguments, ctx: CheckContext) -> list[Finding]:
        ns, name = kube.parse_ref(args.text("secret"), "binding Secret")
        try:
            data = await kube.read_secret(ctx, ns, name, public_keys=PUBLIC_FIELDS)
        except kube.KubeNotFound:
            return [
                Finding(
                    CHECK,
                    Severity.FAIL,
                    f"Secret `{ns}/{name}` does not exist",
                    "The service operator writes it when the ServiceBinding is ready.",
                    f"`kubectl get servicebindings -n {ns}`: the binding's `spec.secretName` and "
                    "its status say whether it was created.",
                )
            ]
        except kube.KubeError as exc:
            return [kube.error_finding(CHECK, exc, subject=f"Secret {ns}/{name}")]
        creds, root = credentials(data)
        for field in creds.keys() - PUBLIC_FIELDS:
            if isinstance(creds[field], str):
                ctx.redactor.add(creds[field])
        client_id = creds.get("clientid")
        url = _url(creds.get("url"))
        ctype = str(creds.get("credential-type") or "")
        out = [
            Finding(
                CHECK,
                Severity.INFO,
                f"Binding `{ns}/{name}`: credential type {ctype or '(not stated)'}",
                ("fields as JSON under `" + root + "` (secretRootKey)" if root else "flat keys")
                + f"; xsappname `{creds.get('xsappname', '?')}`; url `{url or '?'}`",
                evidence={"keys": sorted(creds), "secretRootKey": root},
            )
        ]
        if not isinstance(client_id, str) or not url:
            missing = [k for k in ("clientid", "url") if not creds.get(k)]
            out.append(
                Finding(
                    CHECK,
                    Severity.FAIL,
                    f"Not an XSUAA binding: no {' and no '.join(missing)}",
                    f"Keys found: {', '.join(sorted(creds)) or '(none)'}.",
                )
            )
            return out
        if ctype and ctype not in CREDENTIAL_TYPES:
            out.append(Finding(CHECK, Severity.WARN, f"Unknown credential type `{ctype}`"))
        if client_id != client_id.strip():
            out.append(Finding(CHECK, Severity.FAIL, "`clientid` has surrounding whitespace"))
        if ctype == "x509" or ("certificate" in creds and "clientsecret" not in creds):
            out += _x509_findings(creds, ctx)
            if any(f.status is Severity.FAIL for f in out):
                return out
            token_url = f"{_url(creds.get('certurl'))}/oauth/token"
            out.append(await _mtls_token(ctx, token_url, client_id, creds))
            return out
        secret = creds.get("clientsecret")
        if not isinstance(secret, str) or not secret:
            out.append(Finding(CHECK, Severity.FAIL, "The binding has no `clientsecret`"))
            return out
        special = client_auth.special_characters(secret)
        if secret != secret.strip():
            out.append(
                Finding(
                    CHECK,
                    Severity.FAIL,
                    "`clientsecret` has surrounding whitespace",
                    describe_secret(secret),
                )
            )
        if special:
            out.append(
                Finding(
                    CHECK,
                    Severity.WARN,
                    "`clientsecret` contains "
                    + " ".join(f"`{c}`" for c in special)
                    + ": Basic authentication breaks unless encoded the UAA way",
                    "UAA takes Basic credentials raw unless the request carries "
                    "`X-CF-ENCODED-CREDENTIALS: true`; clients that URL-encode (Spring Security "
                    "5.6+, RFC 6749 §2.3.1) then send a different secret.",
                    "Send `client_id`/`client_secret` in the POST body, or URL-encode them and add "
                    "`X-CF-ENCODED-CREDENTIALS: true`.",
                    {"secret": describe_secret(secret)},
                )
            )
        token_url = f"{url}/oauth/token"
        # The binding's credentials go to the server the same Secret names, and nowhere else.
        bound = Credentials(
            client_id,
            secret,
            f"binding Secret {ns}/{name}",
            Destinations.of(
                f"named by binding Secret {ns}/{name} itself",
                [url, _url(creds.get("certurl"))],
                [str(creds.get("uaadomain") or "")],
            ),
        )
        attempt = await request_client_credentials(
            ctx, token_url, bound, method=client_auth.POST_BODY
        )
        ev = {"token_url": token_url, "method": "client_secret in POST body"}
        if attempt.ok:
            out.append(
                Finding(CHECK, Severity.OK, "Token request with the binding succeeded", "", "", ev)
            )
        elif attempt.transport_error:
            out.append(
                Finding(
                    CHECK,
                    Severity.ERROR,
                    "Could not reach XSUAA's token endpoint",
                    attempt.transport_error,
                    "Check that the bot reaches the binding's `url`.",
                    ev,
                )
            )
        elif not refusals.may_be_client_auth(attempt, secret):
            out.append(_not_a_credential_refusal(attempt, ev))
        else:
            out.append(
                Finding(
                    CHECK,
                    Severity.FAIL,
                    "XSUAA refused the binding's credentials",
                    attempt.wording(),
                    "The binding's secret is no longer valid (rotated, or the instance was "
                    "recreated): recreate the ServiceBinding; check `credential-types`.",
                    ev,
                )
            )
        return out


def _not_a_credential_refusal(attempt: TokenAttempt, ev: dict[str, Any]) -> Finding:
    """The same reading of a refusal as the `token` command (handlers/oauth/refusals.py): the
    credentials are blamed only when client authentication can explain the answer."""
    if refusals.client_auth_passed(attempt):
        return Finding(
            CHECK,
            Severity.FAIL,
            f"The binding authenticates, but the token request was refused: `{attempt.error}`",
            attempt.wording(),
            "The client may not use the client_credentials grant or the scopes asked for: check "
            "the `oauth2-configuration` (grant-types) in xs-security.json and update the "
            "service instance.",
            ev,
        )
    return Finding(
        CHECK,
        Severity.ERROR,
        "XSUAA's token endpoint did not answer like one",
        attempt.wording(),
        "Check the binding's `url` (the token endpoint is `<url>/oauth/token`) and XSUAA's "
        "health; nothing is known about the credentials.",
        ev,
    )


def build() -> Command:
    return Command(
        name="binding",
        summary="XSUAA binding Secret: credential type, special characters, certificate, token",
        params=(
            Param(
                "secret",
                "the binding Secret as namespace/name",
                required=True,
                metavar="namespace/secret",
            ),
        ),
        checks=(BindingCheck(),),
        examples=("binding default/xsuaa-binding",),
        validate=kube.validate_ref("secret", "binding Secret"),
    )
