"""An X.509 binding's certificate and key: readable, in their validity window, a pair, used
against `certurl` — and the mutual-TLS token request that proves them.

cryptography's x509 is imported only when an x509 binding is checked: it is slow to import, and
`help` and every other command would pay for it at start-up.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from handlers.core.check import CheckContext
from handlers.core.findings import FindingBuilder
from handlers.core.model import Finding, Severity
from handlers.core.timefmt import utc
from handlers.net.answers import json_object, parse_oauth_error
from handlers.net.client import http as http_client
from handlers.net.send import describe

if TYPE_CHECKING:
    from cryptography import x509

#: A certificate closer than this to its end is a warning: rotation is due.
EXPIRY_WARN = timedelta(days=14)


def url_of(value: Any) -> str | None:
    """A binding's URL field without its trailing slash; None when absent or blank."""
    return value.rstrip("/") if isinstance(value, str) and value.strip() else None


def _certificates(pem: str) -> list[x509.Certificate]:
    from cryptography import x509

    return x509.load_pem_x509_certificates(pem.encode())


def _validity(out: FindingBuilder, leaf: x509.Certificate, now: datetime) -> Finding:
    start, end = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    window = f"valid {utc(start)} to {utc(end)}; subject {leaf.subject.rfc4514_string()}"
    if now < start:
        return out(Severity.FAIL, "The certificate is not valid yet", window)
    if now > end:
        return out(
            Severity.FAIL,
            "The binding's certificate has expired",
            window,
            "Rotate the binding (the service operator's `credentialsRotationPolicy`, or "
            "delete and recreate the ServiceBinding).",
        )
    if end - now < EXPIRY_WARN:
        return out(Severity.WARN, "The certificate expires soon", window)
    return out(Severity.OK, "The certificate is within its validity", window)


def _key_match(out: FindingBuilder, leaf: x509.Certificate, key_pem: str) -> Finding | None:
    """The private key against the certificate; None when the key is not readable."""
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    except (ValueError, TypeError):
        return None
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    if key.public_key().public_bytes(enc, fmt) != leaf.public_key().public_bytes(enc, fmt):
        return out(
            Severity.FAIL,
            "The private key does not belong to the certificate",
            "The TLS handshake will fail: the key and the certificate come from different "
            "bindings or rotations.",
            "Recreate the binding; do not mix fields from two Secrets.",
        )
    return out(Severity.OK, "The private key matches the certificate")


def _certurl(out: FindingBuilder, creds: dict[str, Any]) -> Finding:
    if not url_of(creds.get("certurl")):
        return out(
            Severity.FAIL,
            "x509 binding without `certurl`",
            "Tokens for X.509 credentials are issued at `certurl` (the `.cert.` host) with "
            "mutual TLS; `url` does not ask for a client certificate.",
        )
    return out(
        Severity.INFO,
        "Use `certurl` for token requests with this binding",
        f"`{url_of(creds.get('certurl'))}/oauth/token` with mutual TLS, not `url` "
        f"(`{url_of(creds.get('url'))}`).",
    )


def x509_findings(out: FindingBuilder, creds: dict[str, Any], now: datetime) -> list[Finding]:
    """The certificate and key of an x509 binding, checked without sending anything."""
    cert_pem, key_pem = creds.get("certificate"), creds.get("key")
    if not isinstance(cert_pem, str) or not isinstance(key_pem, str):
        missing = [k for k in ("certificate", "key") if not isinstance(creds.get(k), str)]
        return [
            out(
                Severity.FAIL,
                f"x509 binding without {' and '.join(missing)}",
                "An X.509 binding authenticates with its certificate and private key.",
                "Recreate the binding (ServiceBinding) so the operator writes both.",
            )
        ]
    try:
        chain = _certificates(cert_pem)
    except ValueError:
        return [out(Severity.FAIL, "The binding's certificate is not readable PEM")]
    found = [_validity(out, chain[0], now)]
    match = _key_match(out, chain[0], key_pem)
    if match is None:
        return [*found, out(Severity.FAIL, "The binding's private key is not readable PEM")]
    return [*found, match, _certurl(out, creds)]


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


def _mtls_verdict(
    out: FindingBuilder, ctx: CheckContext, url: str, response: httpx.Response
) -> Finding:
    data = json_object(response.content) or {}
    token = data.get("access_token")
    if response.status_code == 200 and isinstance(token, str):
        ctx.redactor.add(token)
        return out(
            Severity.OK,
            "mTLS token request with the binding's certificate succeeded",
            f"POST {url} → 200",
            token_url=url,
        )
    err = parse_oauth_error(response.content)
    wording = f"HTTP {response.status_code}" + (
        f" `{err.error}` “{err.description or ''}”" if err else ""
    )
    # Built directly: its evidence has a `status` key, the builder's own first parameter.
    return Finding(
        out.check,
        Severity.FAIL,
        "XSUAA refused the mTLS token request",
        ctx.redactor.text(wording),
        "The certificate is not (or no longer) the binding's: rotate or recreate the binding; "
        "check the instance's `credential-types` allows x509.",
        {**out.evidence, "token_url": url, "status": response.status_code},
    )


async def mtls_token(
    out: FindingBuilder, ctx: CheckContext, url: str, client_id: str, creds: dict[str, Any]
) -> Finding:
    """A client-credentials request with the binding's certificate (mutual TLS) at `url`."""
    try:
        context = _mtls_context(str(creds["certificate"]), str(creds["key"]))
    except (ssl.SSLError, OSError) as exc:
        return out(
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
        return out(
            Severity.ERROR,
            "Could not complete the mTLS token request",
            ctx.redactor.text(describe(exc, url, ctx.settings.timeout)),
            "Check that the bot reaches `certurl` and trusts its CA.",
            token_url=url,
        )
    return _mtls_verdict(out, ctx, url, response)
