"""`binding`: BTP binding Secrets from the emulated API server; a UAA fake over HTTP and an mTLS
token endpoint over real TLS with a CA made here (the client must present the binding's cert)."""

from __future__ import annotations

import ipaddress
import json
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.cli.render import render
from handlers.commands.registry import default_registry
from handlers.core.grammar import parse
from handlers.core.model import Report, Severity
from handlers.core.runner import run_invocation
from tests.fakes.kube import FakeKube, kube_fixture  # noqa: F401

CLIENT_ID = "sb-orders!t12345"
SECRET = "6c3f1a2b-0d4e-4f5a-9b8c-7d6e5f4a3b2c$Xy+Zq/Ab1=Cd2"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(
    cn: str,
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
    issuer: x509.Name | None = None,
    *,
    ca: bool = False,
    days: tuple[int, int] = (-1, 30),
    ip: str | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer or _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=days[0]))
        .not_valid_after(now + timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ip:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False
        )
    return key, builder.sign(issuer_key or key, hashes.SHA256())


def pem(obj: x509.Certificate | ec.EllipticCurvePrivateKey) -> str:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM).decode()
    return obj.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class Uaa:
    """A UAA token endpoint: plain HTTP for secrets, mutual TLS for certificates."""

    def __init__(self) -> None:
        self.url = ""
        self.cert_url = ""
        self.runners: list[web.AppRunner] = []
        self.ca_key, self.ca = make_cert("authcheck test CA", ca=True)
        self.client_key, self.client_cert = make_cert(CLIENT_ID, self.ca_key, self.ca.subject)
        self.seen_client_cn: list[str] = []

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, SECRET):
            return web.json_response(
                {"error": "unauthorized", "error_description": "Bad credentials"},
                status=401,
                headers={"WWW-Authenticate": 'Basic realm="UAA/client", error="unauthorized"'},
            )
        return web.json_response({"access_token": "eyJ.uaa.token", "expires_in": 43199})

    async def cert_token(self, request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        cn = dict(x[0] for x in (peer or {}).get("subject", ()))["commonName"] if peer else ""
        self.seen_client_cn.append(cn)
        form = await request.post()
        if cn != form.get("client_id"):
            return web.json_response({"error": "unauthorized"}, status=401)
        return web.json_response({"access_token": "eyJ.mtls.token", "expires_in": 43199})

    async def start(self, tmp: Path) -> None:
        plain = web.Application()
        plain.router.add_post("/oauth/token", self.token)
        self.url = await self._serve(plain, None)
        server_key, server_cert = make_cert(
            "127.0.0.1", self.ca_key, self.ca.subject, ip="127.0.0.1"
        )
        (tmp / "server.pem").write_text(pem(server_cert))
        (tmp / "server.key").write_text(pem(server_key))
        (tmp / "ca.pem").write_text(pem(self.ca))
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(tmp / "server.pem", tmp / "server.key")
        tls.load_verify_locations(tmp / "ca.pem")
        tls.verify_mode = ssl.CERT_REQUIRED
        cert_app = web.Application()
        cert_app.router.add_post("/oauth/token", self.cert_token)
        self.cert_url = await self._serve(cert_app, tls)

    async def _serve(self, app: web.Application, tls: ssl.SSLContext | None) -> str:
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls).start()
        self.runners.append(runner)
        scheme = "https" if tls else "http"
        return f"{scheme}://127.0.0.1:{runner.addresses[0][1]}"


@pytest_asyncio.fixture(name="uaa")
async def uaa_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Uaa]:
    fake = Uaa()
    await fake.start(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # the bot trusts our CA
    yield fake
    for runner in fake.runners:
        await runner.cleanup()


async def run(kube: FakeKube, text: str = "binding apps/xsuaa") -> Report:
    return await run_invocation(parse(text, default_registry()), kube.context())


def assert_no_leak(report: Report, *values: str) -> None:
    blob = json.dumps(report.to_dict()) + render(report)
    for value in values:
        assert value not in blob


async def test_secret_binding_flat_keys_special_chars_and_token(kube: FakeKube, uaa: Uaa) -> None:
    kube.add_secret(
        "apps",
        "xsuaa",
        {
            "clientid": CLIENT_ID,
            "clientsecret": SECRET,
            "url": uaa.url,
            "credential-type": "binding-secret",
            "xsappname": "orders!t12345",
        },
    )
    report = await run(kube)
    warn = next(f for f in report.findings if f.status is Severity.WARN)
    assert "`+`" in warn.title
    assert "`$`" in warn.title
    assert "X-CF-ENCODED-CREDENTIALS" in warn.remedy
    assert "Token request with the binding succeeded" in [f.title for f in report.findings]
    assert_no_leak(report, SECRET)


async def test_secret_root_key_and_bad_credentials(kube: FakeKube, uaa: Uaa) -> None:
    creds = {
        "clientid": CLIENT_ID,
        "clientsecret": "wrong-" + SECRET,
        "url": uaa.url,
        "credential-type": "instance-secret",
    }
    kube.add_secret("apps", "xsuaa", {"credentials": json.dumps(creds)})
    report = await run(kube)
    assert "secretRootKey" in report.findings[0].detail
    fail = next(f for f in report.findings if f.status is Severity.FAIL)
    assert fail.title == "XSUAA refused the binding's credentials"
    assert "Bad credentials" in fail.detail
    assert_no_leak(report, SECRET, "wrong-" + SECRET)


async def test_x509_binding_uses_mtls_against_certurl(kube: FakeKube, uaa: Uaa) -> None:
    key_pem = pem(uaa.client_key)
    kube.add_secret(
        "apps",
        "xsuaa",
        {
            "clientid": CLIENT_ID,
            "url": "http://127.0.0.1:9",
            "certurl": uaa.cert_url,
            "credential-type": "x509",
            "certificate": pem(uaa.client_cert),
            "key": key_pem,
        },
    )
    report = await run(kube)
    titles = [f.title for f in report.findings if f.status is Severity.OK]
    assert "The certificate is within its validity" in titles
    assert "The private key matches the certificate" in titles
    assert "mTLS token request with the binding's certificate succeeded" in titles
    assert uaa.seen_client_cn == [CLIENT_ID]
    assert_no_leak(report, key_pem.splitlines()[1])


async def test_x509_expired_and_mismatched_key(kube: FakeKube, uaa: Uaa) -> None:
    _, old = make_cert(CLIENT_ID, uaa.ca_key, uaa.ca.subject, days=(-60, -1))
    other_key, _ = make_cert("other")
    kube.add_secret(
        "apps",
        "xsuaa",
        {
            "clientid": CLIENT_ID,
            "url": uaa.url,
            "credential-type": "x509",
            "certificate": pem(old),
            "key": pem(other_key),
        },
    )
    report = await run(kube)
    fails = [f.title for f in report.findings if f.status is Severity.FAIL]
    assert "The binding's certificate has expired" in fails
    assert "The private key does not belong to the certificate" in fails
    assert "x509 binding without `certurl`" in fails
    assert uaa.seen_client_cn == []


async def test_unreachable_uaa_is_error_and_missing_secret_fail(kube: FakeKube) -> None:
    kube.add_secret(
        "apps", "xsuaa", {"clientid": CLIENT_ID, "clientsecret": "abc", "url": "http://127.0.0.1:9"}
    )
    report = await run(kube)
    err = next(f for f in report.findings if f.status is Severity.ERROR)
    assert "http://127.0.0.1:9/oauth/token" in err.detail
    report = await run(kube, "binding apps/none")
    assert report.findings[0].status is Severity.FAIL
