"""A second real OAuth 2.0 / OIDC server for the tests: Glewlwyd (Debian `glewlwyd`, written in C).

Why a second server: our fakes and oidc-provider agree with each other, and verdicts built only on
them broke on servers that answer differently. Glewlwyd differs where it hurts (DOMAIN.md): it
takes Basic credentials raw (a secret with `+` works raw and fails URL-encoded, the opposite of
Hydra), refuses a bad or disabled client with an empty 403, says `scope_invalid`, refuses the
password grant with an empty 400/403, and ignores `audience`.

Loaded as a plugin by tests/conftest.py, so `glewlwyd_server` is one server per session. Setup
needs no browser: the SQLite database comes from the package's own install script, the config
from its sample, then the admin API (`POST /api/auth/` as the default admin) creates an OIDC
plugin instance signing RS256 JWTs, two scopes, the clients in `CLIENTS` and one user.

Before any test sees the server, every ground truth in `_truths` is checked with plain HTTP
(httpx), so a broken fixture fails loudly instead of passing as a verdict. The binary missing
skips the tests on a developer machine, and fails them in CI (`CI=true`): `.ci/run` installs it.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.oidc import free_port

INSTALL_SQL = Path("/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3")
SAMPLE_CONF = Path("/usr/share/doc/glewlwyd/glewlwyd.conf.sample.gz")
#: The package's default administrator (install SQL; Glewlwyd's GETTING_STARTED.md).
ADMIN = ("admin", "password")
PLUGIN = "oidc"
BOOT_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class GlwClient:
    secret: str
    auth_methods: tuple[str, ...]
    grants: tuple[str, ...]
    scopes: tuple[str, ...]
    enabled: bool = True


#: id → client. `glw-plus` has `+`, `/`, `=` in its secret (raw Basic only, or the POST body).
CLIENTS: dict[str, GlwClient] = {
    "glw-plus": GlwClient(
        "Gl+wy/d=Sec+ret9x",
        ("client_secret_basic", "client_secret_post"),
        ("client_credentials", "password"),
        ("read",),
    ),
    "glw-plain": GlwClient(
        "PlainSecret0123456789",
        ("client_secret_basic", "client_secret_post"),
        ("client_credentials", "password"),
        ("read", "write"),
    ),
    "glw-post": GlwClient(
        "PostOnlySecret424242", ("client_secret_post",), ("client_credentials",), ("read",)
    ),
    "glw-cc": GlwClient(
        "CcOnlySecret13579", ("client_secret_basic",), ("client_credentials",), ("read",)
    ),
    "glw-off": GlwClient(
        "DisabledSecret97531",
        ("client_secret_basic",),
        ("client_credentials",),
        ("read",),
        enabled=False,
    ),
}
SCOPES = ("read", "write")
USER = ("jane", "Jane-pw-123456")


def secrets() -> list[str]:
    """Every secret the server knows: for the leak guard and the corpus's report scan."""
    return [c.secret for c in CLIENTS.values()] + [USER[1]]


def basic(client_id: str, secret: str, *, encoded: bool) -> str:
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}" if encoded else f"{client_id}:{secret}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


@dataclass
class GlewlwydServer:
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]
    #: The ground truths checked at startup, in words (for failure messages and the corpus).
    verified: list[str] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"{self.base}/api/{PLUGIN}"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def introspection_url(self) -> str:
        return self.issuer + "/introspect"

    @property
    def revocation_url(self) -> str:
        return self.issuer + "/revoke"

    @property
    def jwks_url(self) -> str:
        return self.issuer + "/jwks"

    def secret(self, client_id: str) -> str:
        return CLIENTS[client_id].secret

    def request_token(
        self, client_id: str, *, secret: str | None = None, how: str = "raw", **form: str
    ) -> httpx.Response:
        """One token request; `how` is `raw` / `encoded` Basic or `post` (form body)."""
        secret = CLIENTS[client_id].secret if secret is None else secret
        data = {"grant_type": "client_credentials", **form}
        headers: dict[str, str] = {}
        if how == "post":
            data.update(client_id=client_id, client_secret=secret)
        else:
            headers["Authorization"] = basic(client_id, secret, encoded=how == "encoded")
        return httpx.post(self.token_url, data=data, headers=headers, timeout=5)

    def token(self, client_id: str = "glw-plain", scope: str = "read") -> str:
        """A fresh access token (an RS256 JWT) for the client, through real HTTP."""
        how = "post" if "client_secret_basic" not in CLIENTS[client_id].auth_methods else "raw"
        answer = self.request_token(client_id, how=how, scope=scope)
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def introspect(self, token: str, client_id: str = "glw-plain") -> dict[str, Any]:
        answer = httpx.post(
            self.introspection_url,
            data={"token": token},
            headers={"Authorization": basic(client_id, self.secret(client_id), encoded=False)},
            timeout=5,
        )
        answer.raise_for_status()
        return dict(answer.json())

    def revoke(self, token: str, client_id: str = "glw-plain") -> None:
        answer = httpx.post(
            self.revocation_url,
            data={"token": token},
            headers={"Authorization": basic(client_id, self.secret(client_id), encoded=False)},
            timeout=5,
        )
        answer.raise_for_status()


# -- setup --------------------------------------------------------------------------------------


def _config(port: int, db: Path) -> str:
    """The package's sample config, pointed at loopback, a free port, plain HTTP and our DB."""
    text = gzip.decompress(SAMPLE_CONF.read_bytes()).decode()
    base = f"http://127.0.0.1:{port}"
    replacements = [
        (r"(?m)^port=.*$", f"port={port}"),
        (r"(?m)^#?bind_address=.*$", 'bind_address="127.0.0.1"'),
        (r"(?m)^external_url=.*$", f'external_url="{base}"'),
        (r"(?m)^cookie_domain=.*$", 'cookie_domain="127.0.0.1"'),
        (r"(?m)^cookie_secure=.*$", "cookie_secure=0"),
        (r"(?m)^log_level=.*$", 'log_level="WARNING"'),
        (r"/var/cache/glewlwyd/glewlwyd\.db", str(db)),
    ]
    for pattern, value in replacements:
        text, count = re.subn(pattern, value, text)
        if count == 0:
            pytest.fail(f"glewlwyd sample config changed: no line matches {pattern!r}")
    return text


def _database(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.executescript(INSTALL_SQL.read_text())


def _rsa_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _plugin(issuer: str) -> dict[str, Any]:
    private, public = _rsa_pair()
    return {
        "module": "oidc",
        "name": PLUGIN,
        "display_name": "authcheck tests",
        "enabled": True,
        "parameters": {
            "iss": issuer,
            "jwt-type": "rsa",
            "jwt-key-size": "256",
            "key": private,
            "cert": public,
            "jwks-show": True,
            "access-token-duration": 3600,
            "refresh-token-duration": 1209600,
            "code-duration": 600,
            "allow-non-oidc": True,
            "auth-type-client-enabled": True,
            "auth-type-password-enabled": True,
            "auth-type-code-enabled": True,
            "auth-type-refresh-enabled": True,
            "introspection-revocation-allowed": True,
            "introspection-revocation-allow-target-client": True,
        },
    }


def _admin_setup(base: str) -> None:
    api = f"{base}/api"
    with httpx.Client(timeout=5) as admin:
        login = admin.post(f"{api}/auth/", json={"username": ADMIN[0], "password": ADMIN[1]})
        if login.status_code != 200:
            pytest.fail(f"glewlwyd admin login failed: HTTP {login.status_code}")
        calls: list[tuple[str, dict[str, Any]]] = [
            ("/mod/plugin/", _plugin(f"{api}/{PLUGIN}")),
            *[
                (
                    "/scope/",
                    {"name": s, "display_name": s, "description": s, "password_required": False},
                )
                for s in SCOPES
            ],
            *[
                (
                    "/client/",
                    {
                        "client_id": cid,
                        "name": cid,
                        "enabled": c.enabled,
                        "confidential": True,
                        "password": c.secret,
                        "authorization_type": list(c.grants),
                        "token_endpoint_auth_method": list(c.auth_methods),
                        "scope": list(c.scopes),
                        "redirect_uri": [],
                    },
                )
                for cid, c in CLIENTS.items()
            ],
            (
                "/user/",
                {
                    "username": USER[0],
                    "name": "Jane",
                    "password": USER[1],
                    "scope": ["read"],
                    "enabled": True,
                },
            ),
        ]
        for path, body in calls:
            answer = admin.post(api + path, json=body)
            if answer.status_code != 200:
                pytest.fail(f"glewlwyd POST {path} failed: HTTP {answer.status_code}")


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = log.read_text(errors="replace")
            pytest.fail(f"glewlwyd exited with {process.returncode}: {err[-2000:]}")
        try:
            # Any HTTP answer means it listens; the admin login comes next.
            httpx.get(f"{base}/api/profile", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"glewlwyd did not answer on {base} within {BOOT_TIMEOUT_S:g} s")


# -- ground truth -------------------------------------------------------------------------------


def _empty_refusal(answer: httpx.Response, status: int) -> bool:
    return answer.status_code == status and not answer.content.strip()


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _truths(s: GlewlwydServer) -> list[tuple[str, Callable[[], bool]]]:
    """Each scenario's ground truth, as a sentence and a plain-HTTP check of it."""
    user, password = USER
    pw = {"grant_type": "password", "username": user, "password": password, "scope": "read"}

    def granted(answer: httpx.Response) -> str | None:
        return str(answer.json().get("scope")) if answer.status_code == 200 else None

    def aud_of(answer: httpx.Response) -> object:
        return _claims(answer.json()["access_token"]).get("aud")

    def introspection_flips() -> bool:
        token = s.token("glw-plain")
        active = s.introspect(token)
        s.revoke(token)
        return active.get("active") is True and s.introspect(token) == {"active": False}

    return [
        (
            "glw-plus (secret with + / =): raw Basic gets a token",
            lambda: s.request_token("glw-plus", scope="read").status_code == 200,
        ),
        (
            "glw-plus: URL-encoded Basic (RFC 6749) is refused with an empty 403",
            lambda: _empty_refusal(s.request_token("glw-plus", how="encoded", scope="read"), 403),
        ),
        (
            "glw-plus: the POST body works",
            lambda: s.request_token("glw-plus", how="post", scope="read").status_code == 200,
        ),
        (
            "wrong secret: empty 403",
            lambda: _empty_refusal(s.request_token("glw-plain", secret="nope", scope="read"), 403),
        ),
        (
            "unknown client: empty 403",
            lambda: _empty_refusal(
                httpx.post(
                    s.token_url,
                    data={"grant_type": "client_credentials", "scope": "read"},
                    headers={"Authorization": basic("nobody", "nope", encoded=False)},
                ),
                403,
            ),
        ),
        (
            "right credentials but no scope requested: empty 403 (like a wrong secret)",
            lambda: _empty_refusal(s.request_token("glw-plain"), 403),
        ),
        (
            "disabled client glw-off: empty 403",
            lambda: _empty_refusal(s.request_token("glw-off", scope="read"), 403),
        ),
        (
            "glw-post (client_secret_post only): Basic gets an empty 403, the POST body works",
            lambda: (
                _empty_refusal(s.request_token("glw-post", scope="read"), 403)
                and s.request_token("glw-post", how="post", scope="read").status_code == 200
            ),
        ),
        (
            "unknown scope: 400 `scope_invalid`",
            lambda: (
                (a := s.request_token("glw-plain", scope="nosuch")).status_code == 400
                and a.json().get("error") == "scope_invalid"
            ),
        ),
        (
            "glw-cc asking `read write` is granted only `read` (write silently dropped)",
            lambda: granted(s.request_token("glw-cc", scope="read write")) == "read",
        ),
        (
            "scope not allowed for the client (glw-cc asking `write`): 400 `scope_invalid`",
            lambda: (
                (a := s.request_token("glw-cc", scope="write")).status_code == 400
                and a.json().get("error") == "scope_invalid"
            ),
        ),
        (
            "`audience` is ignored: the token's aud is the scope list",
            lambda: (
                aud_of(
                    s.request_token("glw-plain", scope="read", audience="https://orders.example")
                )
                == "read"
            ),
        ),
        (
            "password grant with jane's password and glw-plus (raw Basic) gets a token",
            lambda: s.request_token("glw-plus", **pw).status_code == 200,
        ),
        (
            "password grant, wrong user password: empty 403",
            lambda: _empty_refusal(s.request_token("glw-plus", **{**pw, "password": "no"}), 403),
        ),
        (
            "password grant, client refused (URL-encoded Basic of glw-plus): empty 400",
            lambda: _empty_refusal(s.request_token("glw-plus", how="encoded", **pw), 400),
        ),
        (
            "password grant, client without the password grant (glw-cc): empty 400",
            lambda: _empty_refusal(s.request_token("glw-cc", **pw), 400),
        ),
        (
            "introspection: active:true for a fresh token, {active:false} once revoked",
            introspection_flips,
        ),
    ]


def _verify(server: GlewlwydServer) -> None:
    for sentence, check in _truths(server):
        try:
            holds = check()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            pytest.fail(f"glewlwyd ground truth could not be checked: {sentence}: {exc!r}")
        if not holds:
            pytest.fail(f"glewlwyd ground truth does not hold: {sentence}")
        server.verified.append(sentence)


@pytest.fixture(scope="session", name="glewlwyd_server")
def glewlwyd_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GlewlwydServer]:
    """Glewlwyd on a free loopback port with its ground truths verified; stopped at session end."""
    binary = shutil.which("glewlwyd")
    if binary is None or not INSTALL_SQL.is_file() or not SAMPLE_CONF.is_file():
        reason = "glewlwyd is not installed (apt-get install glewlwyd; .ci/run does this)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("glewlwyd")
    port = free_port()
    db = tmp / "glewlwyd.db"
    _database(db)
    conf = tmp / "glewlwyd.conf"
    conf.write_text(_config(port, db))
    log = tmp / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [binary, "-c", str(conf)], cwd=tmp, stdout=sink, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process, log)
        _admin_setup(base)
        server = GlewlwydServer(base=base, process=process)
        _verify(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
