"""A real nginx (Debian `nginx-light`) in front of a protected API, for verdicts on real bytes.

One nginx per session, run in the foreground (`daemon off`) from a config generated into a tmp
dir (pid, logs and temp paths inside it), on free loopback ports: a plain HTTP listener and a TLS
one with a self-signed certificate made here with `cryptography` (trusted only by tests that point
SSL_CERT_FILE at `Nginx.ca_file`). Both serve the same locations:

| location | nginx does | ground truth |
|---|---|---|
| /api/...      | `proxy_pass` to the upstream, headers as sent | the upstream decides |
| /stripped/... | `proxy_set_header Authorization "";` then the upstream | no token ever arrives |
| /gated/...    | `auth_request /_auth` (the upstream's /auth), then the upstream | nginx's own |
|               | 401/403 HTML page and `Server: nginx/…`, whatever the real reason was | |

The upstream is an aiohttp app (in its own thread and loop, so a session-scoped fixture does not
need a session-scoped event loop) that answers like a Spring Security resource server
(`BearerTokenAuthenticationEntryPoint` / `BearerTokenAccessDeniedHandler`, spring-security
6.x): no token → 401 `WWW-Authenticate: Bearer` with an empty body; a bad token → 401
`Bearer error="invalid_token", error_description="…", error_uri="https://tools.ietf.org/html/
rfc6750#section-3.1"`; a missing scope → 403 `Bearer error="insufficient_scope", …`. It verifies
real RS256 JWTs minted by `Nginx.mint` (key `nginx-k1`), requires scope `read` for
/api/orders..., `admin` for /api/admin..., and:

- /api/scope401/... answers `insufficient_scope` with status 401 (servers that do so exist);
- /api/rule/... challenges an anonymous caller, but answers a valid token lacking audience
  `orders` with a bare 401 `Unauthorized` and no challenge (an authorization rule, after
  authentication).

The fixture checks each ground truth with plain HTTP (urllib) before any test uses it, so a
broken fixture fails loudly instead of passing as a verdict. In CI (`CI=true`) a missing nginx
binary fails the session; elsewhere the tests that need it are skipped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.fakes.oidc import free_port

KID = "nginx-k1"
ISSUER = "https://issuer.nginx.authcheck.test/"
AUDIENCE = "orders"
RFC6750 = "https://tools.ietf.org/html/rfc6750#section-3.1"
BOOT_TIMEOUT_S = 10.0
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
#: A key nobody trusts: tokens signed with it are forged.
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def mint(key: Any = None, kid: str = KID, **claims: Any) -> str:
    """An RS256 access token from the upstream's issuer; `claims` override the defaults."""
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "orders-client",
        "client_id": "orders-client",
        "aud": [AUDIENCE],
        "scope": "read",
        "iat": now - 60,
        "exp": now + 3000,
    }
    body.update(claims)
    return jwt.encode(body, key or _KEY, algorithm="RS256", headers={"kid": kid})


def _challenge(error: str | None = None, description: str | None = None) -> str:
    """Spring Security's `WWW-Authenticate` (BearerTokenAuthenticationEntryPoint): params are
    joined with ", " after `Bearer `; no realm unless configured."""
    if error is None:
        return "Bearer"
    params = [f'error="{error}"']
    if description:
        params.append(f'error_description="{description}"')
    params.append(f'error_uri="{RFC6750}"')
    return "Bearer " + ", ".join(params)


def _verify(auth: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """(claims, None) for a valid token; (None, description) for a bad one; (None, None) if
    there is no Bearer token at all."""
    if not auth or not auth.lower().startswith("bearer "):
        return None, None
    token = auth[7:].strip()
    try:
        claims = jwt.decode(
            token,
            _KEY.public_key(),
            algorithms=["RS256"],
            issuer=ISSUER,
            options={"verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        return None, "Jwt expired"
    except jwt.InvalidSignatureError:
        return None, "Failed to validate the token: signature does not verify"
    except jwt.PyJWTError as exc:
        return None, f"An error occurred while attempting to decode the Jwt: {type(exc).__name__}"
    return claims, None


def _scopes(claims: dict[str, Any]) -> list[str]:
    return str(claims.get("scope") or "").split()


@dataclass
class Upstream:
    """The protected API behind nginx; records whether each request carried `Authorization`."""

    port: int = 0
    seen: list[tuple[str, bool]] = field(default_factory=list)

    async def _api(self, request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization")
        self.seen.append((request.path, bool(auth)))
        claims, problem = _verify(auth)
        path = request.path
        if claims is None:
            if problem is None:
                return web.Response(status=401, headers={"WWW-Authenticate": _challenge()})
            return web.Response(
                status=401, headers={"WWW-Authenticate": _challenge("invalid_token", problem)}
            )
        if path.startswith("/api/rule/"):
            aud = claims.get("aud")
            auds = aud if isinstance(aud, list) else [aud]
            if AUDIENCE not in auds:
                return web.Response(status=401, text="Unauthorized")
        needed = "admin" if path.startswith("/api/admin") else "read"
        if needed not in _scopes(claims):
            status = 401 if path.startswith("/api/scope401/") else 403
            return web.Response(
                status=status,
                headers={
                    "WWW-Authenticate": _challenge(
                        "insufficient_scope",
                        "The request requires higher privileges than provided by the access token.",
                    )
                },
            )
        return web.json_response({"order": 1, "path": path})

    async def _auth(self, request: web.Request) -> web.StreamResponse:
        """The auth_request target: 200, 401 or 403 with an empty body (nginx only reads the
        status)."""
        claims, _ = _verify(request.headers.get("Authorization"))
        if claims is None:
            return web.Response(status=401)
        if "read" not in _scopes(claims):
            return web.Response(status=403)
        return web.Response(status=200)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/auth", self._auth)
        app.router.add_route("*", "/api/{tail:.*}", self._api)
        return app


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost (its own CA) and its key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "authcheck nginx test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "cert.pem"
    key_file = directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


_LOCATIONS = """
        location /api/ {{
            proxy_pass http://127.0.0.1:{upstream};
        }}
        location /stripped/ {{
            proxy_set_header Authorization "";
            proxy_pass http://127.0.0.1:{upstream}/api/;
        }}
        location /gated/ {{
            auth_request /_auth;
            proxy_pass http://127.0.0.1:{upstream}/api/;
        }}
        location = /_auth {{
            internal;
            proxy_pass http://127.0.0.1:{upstream}/auth;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URI $request_uri;
        }}
"""

_CONFIG = """
daemon off;
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{http};
        {locations}
    }}
    server {{
        listen 127.0.0.1:{https} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        {locations}
    }}
}}
"""


@dataclass(frozen=True)
class Nginx:
    """The running nginx: `url(path)` over HTTP, `tls_url(path)` over TLS."""

    http_port: int
    https_port: int
    ca_file: Path
    upstream: Upstream
    version: str

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http_port}{path}"

    def tls_url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.https_port}{path}"

    @staticmethod
    def mint(**claims: Any) -> str:
        return mint(**claims)


def _get(url: str, token: str | None, ca: Path) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    context = ssl.create_default_context(cafile=str(ca))
    try:
        with urllib.request.urlopen(request, timeout=3, context=context) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, b""
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def _check_ground_truth(n: Nginx) -> None:
    """Each location behaves as the table in the module docstring says, over plain HTTP."""
    good = mint()
    expect: list[tuple[str, str | None, int, str]] = [
        (n.url("/api/orders/1"), None, 401, "Bearer"),
        (n.tls_url("/api/orders/1"), good, 200, ""),
        (n.url("/api/orders/1"), mint(exp=int(time.time()) - 600), 401, "invalid_token"),
        (n.url("/stripped/orders/1"), good, 401, "Bearer"),
        (n.url("/gated/orders/1"), None, 401, "nginx"),
        (n.url("/gated/orders/1"), good, 200, ""),
        (n.url("/gated/orders/1"), mint(scope="profile"), 403, "nginx"),
        (n.url("/api/rule/1"), mint(aud=["billing"]), 401, ""),
    ]
    for url, token, status, marker in expect:
        got, headers, body = _get(url, token, n.ca_file)
        said = headers.get("www-authenticate", "") + headers.get("server", "")
        if got != status or (marker and marker not in said):
            raise RuntimeError(
                f"nginx fixture broken: {url} with{'out' if token is None else ''} a token "
                f"answered {got} {said!r} {body[:200]!r}, expected {status} {marker!r}"
            )
        if status >= 400 and marker == "nginx" and b"<center>nginx" not in body:
            raise RuntimeError(f"nginx fixture broken: {url} did not answer nginx's own page")
        if "/stripped/" in url and n.upstream.seen[-1] != ("/api/orders/1", False):
            raise RuntimeError("nginx fixture broken: /stripped/ forwarded Authorization")


def _serve_upstream(upstream: Upstream) -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def start() -> None:
        runner = web.AppRunner(upstream.app(), shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        upstream.port = int(runner.addresses[0][1])
        ready.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, name="nginx-upstream", daemon=True)
    thread.start()
    if not ready.wait(5):
        raise RuntimeError("the nginx fixture's upstream did not start")
    return loop, thread


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"nginx exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within {BOOT_TIMEOUT_S:g} s")


@pytest.fixture(scope="session", name="nginx")
def nginx_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    """Starts nginx and its upstream once per session; checks the ground truth first."""
    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if binary is None:
        message = "nginx is not installed (apt-get install nginx-light; .ci/run does this)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("nginx")
    cert, key = _self_signed(directory)
    upstream = Upstream()
    loop, thread = _serve_upstream(upstream)
    http_port, https_port = free_port(), free_port()
    locations = _LOCATIONS.format(upstream=upstream.port)
    config = directory / "nginx.conf"
    config.write_text(
        _CONFIG.format(
            user="user root;" if os.geteuid() == 0 else "",
            dir=directory,
            http=http_port,
            https=https_port,
            cert=cert,
            key=key,
            locations=locations,
        )
    )
    version = subprocess.run(
        [binary, "-v"], capture_output=True, text=True, check=False
    ).stderr.strip()
    log = directory / "stderr.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [binary, "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(http_port, process, directory / "error.log")
        _wait_ready(https_port, process, directory / "error.log")
        running = Nginx(http_port, https_port, cert, upstream, version)
        _check_ground_truth(running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
