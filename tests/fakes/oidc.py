"""A real OAuth 2.0 server for the tests: node `oidc-provider` from tests/servers/oidc.

Loaded as a plugin by tests/conftest.py, so the fixture `oidc_server` is one server for the whole
session (importing it into test modules would start one per module): it boots in well under a
second and its clients and keys are fixed (see server.mjs), so every test shares one.
Tokens are obtained through real HTTP with `server.token(client_id, ...)`.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVER_DIR = Path(__file__).resolve().parent.parent / "servers" / "oidc"
BOOT_TIMEOUT_S = 20.0

#: Mirrors the clients in server.mjs: id → (secret, token_endpoint_auth_method).
CLIENTS: dict[str, tuple[str, str]] = {
    "svc-plus": ("Sx+9/aQ=b+Yz/Tk2==", "client_secret_basic"),
    "svc-post": ("Po+st/Secret=42xyz", "client_secret_post"),
    "svc-jwt": ("Jwt+Client/Secret=7", "client_secret_basic"),
    "introspector": ("In+tro/Spect=or99", "client_secret_basic"),
}
JWT_RESOURCE = "https://api.authcheck.test"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _basic(client_id: str, secret: str) -> str:
    pair = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


@dataclass(frozen=True)
class OidcServer:
    issuer: str
    process: subprocess.Popen[bytes]

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def introspection_url(self) -> str:
        return self.issuer + "/token/introspection"

    @property
    def revocation_url(self) -> str:
        return self.issuer + "/token/revocation"

    def secret(self, client_id: str) -> str:
        return CLIENTS[client_id][0]

    def _post(self, url: str, client_id: str, form: dict[str, str]) -> dict[str, object]:
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(url, data=data, method="POST")
        secret, method = CLIENTS[client_id]
        if method == "client_secret_post":
            data = urllib.parse.urlencode(
                {**form, "client_id": client_id, "client_secret": secret}
            ).encode()
            request = urllib.request.Request(url, data=data, method="POST")
        else:
            request.add_header("Authorization", _basic(client_id, secret))
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def token(self, client_id: str, scope: str | None = None) -> str:
        """A fresh access token for the client (opaque, or a JWT for `svc-jwt`)."""
        form = {"grant_type": "client_credentials"}
        if scope:
            form["scope"] = scope
        answer = self._post(self.token_url, client_id, form)
        return str(answer["access_token"])

    def revoke(self, token: str, client_id: str = "svc-plus") -> None:
        self._post(self.revocation_url, client_id, {"token": token})


def _wait_ready(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    url = issuer + "/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = log.read_text(errors="replace")
            pytest.fail(f"oidc-provider exited with {process.returncode}: {err[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    pytest.fail(f"oidc-provider did not answer {url} within {BOOT_TIMEOUT_S:g} s")


@pytest.fixture(scope="session", name="oidc_server")
def oidc_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcServer]:
    """Starts `node server.mjs --port N` on a free loopback port; stops it at session end."""
    if not (SERVER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            f"oidc-provider is not installed: run `npm ci` in {SERVER_DIR} (.ci/run does this)"
        )
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (apt-get install nodejs); the OAuth tests need it")
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [node, "server.mjs", "--port", str(port)],
            cwd=SERVER_DIR,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(issuer, process, log)
        yield OidcServer(issuer=issuer, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
