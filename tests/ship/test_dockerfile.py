"""The Dockerfile, read by Docker's own parser (the `dockerfile` package wraps moby's Go code).

`docker build` cannot run here, so these tests pin down what a build would depend on: stages,
base images, the user, the health check, the entrypoint, and every file a COPY needs.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dockerfile
import pytest
import yaml

from tests.ship.helmchart import CHART_DIR, REPO

SENSITIVE = re.compile(r"SECRET|TOKEN|PASSW|CREDENTIAL|API_?KEY|PRIVATE|JOB_KEY", re.IGNORECASE)


@dataclass
class Stage:
    base: str
    name: str | None
    commands: list[dockerfile.Command]

    def all(self, cmd: str) -> list[dockerfile.Command]:
        return [c for c in self.commands if c.cmd == cmd]


def _stages() -> list[Stage]:
    stages: list[Stage] = []
    for command in dockerfile.parse_file(str(REPO / "Dockerfile")):
        if command.cmd == "FROM":
            value = command.value
            name = value[2] if len(value) == 3 and value[1].upper() == "AS" else None
            stages.append(Stage(value[0], name, []))
        else:
            assert stages, f"{command.cmd} before the first FROM"
            stages[-1].commands.append(command)
    return stages


STAGES = _stages()
FINAL = STAGES[-1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_multi_stage_build_ships_only_the_build_output() -> None:
    assert len(STAGES) >= 2
    names = {s.name for s in STAGES[:-1]}
    copies_from = {
        flag.split("=", 1)[1]
        for c in FINAL.all("COPY")
        for flag in c.flags
        if flag.startswith("--from=")
    }
    assert copies_from
    assert copies_from <= names
    # The final stage never gets the source tree or a compiler; it copies the venv only.
    assert all(any(f.startswith("--from=") for f in c.flags) for c in FINAL.all("COPY"))
    assert not FINAL.all("ADD")


def test_base_images_are_pinned_slim_python() -> None:
    for stage in STAGES:
        image, _, tag = stage.base.partition(":")
        assert "$" not in stage.base, "resolve the base at parse time: no ARG in FROM"
        assert image.rsplit("/", 1)[-1] == "python", stage.base
        assert tag, stage.base
        assert tag != "latest", stage.base
        assert re.match(r"^3\.11\.\d+-slim", tag), f"{stage.base}: pin a patch release, slim"
    assert len({s.base for s in STAGES}) == 1, "the venv's interpreter must match across stages"


def test_runs_as_a_numeric_non_root_user() -> None:
    users = FINAL.all("USER")
    assert users, "the final stage must set USER"
    uid, _, gid = users[-1].value[0].partition(":")
    assert uid.isdigit()
    assert int(uid) > 0
    assert not gid or (gid.isdigit() and int(gid) > 0)
    # Kubernetes' runAsNonRoot can only verify a numeric USER; the chart runs the same uid.
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    assert values["podSecurityContext"]["runAsUser"] == int(uid)


def _env(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for command in stage.all("ENV"):
        pairs = command.value
        env.update({pairs[i]: pairs[i + 1].strip('"') for i in range(0, len(pairs), 2)})
    return env


def test_runtime_environment_suits_a_read_only_root() -> None:
    env = _env(FINAL)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["HOME"] == env["TMPDIR"] == "/tmp"
    # The ports agree with the chart's defaults and the process contract.
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    assert env["PORT"] == str(values["bot"]["port"]) == "3000"
    assert env["AUTHCHECK_HEALTH_PORT"] == str(values["healthPort"]) == "8080"
    exposed = {p for c in FINAL.all("EXPOSE") for p in c.value}
    assert exposed == {env["PORT"], env["AUTHCHECK_HEALTH_PORT"]}


def test_no_secrets_are_baked_in() -> None:
    for stage in STAGES:
        for command in stage.all("ENV") + stage.all("ARG") + stage.all("LABEL"):
            keys = command.value[0::2] if command.cmd != "ARG" else command.value
            for key in keys:
                assert not SENSITIVE.search(key.split("=", 1)[0]), f"{command.cmd} {key}"
    for path in (REPO / "Dockerfile", REPO / ".dockerignore"):
        text = path.read_text()
        assert not re.search(r"xox[abp]-|xapp-|BEGIN [A-Z ]*PRIVATE KEY", text), path


def test_entrypoint_is_the_console_script_and_cmd_a_real_subcommand() -> None:
    (entrypoint,) = FINAL.all("ENTRYPOINT")
    (cmd,) = FINAL.all("CMD")
    assert entrypoint.json, "exec form, so signals reach the process"
    assert cmd.json, "exec form, so signals reach the process"
    assert entrypoint.value[0] in PYPROJECT["project"]["scripts"]
    script = Path(sys.executable).with_name(entrypoint.value[0])
    for args in ([*entrypoint.value[1:], *cmd.value], ["worker"]):
        done = subprocess.run(
            [str(script), *args, "--help"], capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 0, (args, done.stderr)


def _ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore semantics: last matching pattern wins; a match on a parent counts."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw.lstrip("!").strip("/")
        pattern = pattern.removeprefix("**/")
        if any(
            fnmatch.fnmatchcase(c, pattern) or fnmatch.fnmatchcase(c.rsplit("/", 1)[-1], pattern)
            for c in candidates
        ):
            ignored = not negate
    return ignored


def _copy_sources() -> Iterator[str]:
    for stage in STAGES:
        for command in stage.all("COPY") + stage.all("ADD"):
            if any(flag.startswith("--from=") for flag in command.flags):
                continue
            yield from command.value[:-1]


def test_every_copied_file_exists_and_is_in_the_build_context() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = list(_copy_sources())
    assert sources
    for source in sources:
        assert (REPO / source).exists(), source
        assert not _ignored(source, patterns), f"{source} is excluded by .dockerignore"
    # Everything the package build needs is copied: pyproject and each package it includes.
    includes = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {p.rstrip("*") for p in includes}
    assert {"pyproject.toml", *packages} <= set(sources)
    # And what must never enter the context stays out.
    for secretish in (".venv", ".git", "tests", ".env", "helm"):
        assert _ignored(secretish, patterns), secretish


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _run_healthcheck(port: int) -> int:
    (check,) = FINAL.all("HEALTHCHECK")
    assert check.json
    assert check.value[0] == "CMD"
    argv = list(check.value[1:])
    assert argv[0] == "python", "slim images have no curl: use the image's interpreter"
    env = {**os.environ, "AUTHCHECK_HEALTH_PORT": str(port)}
    done = subprocess.run([sys.executable, *argv[1:]], env=env, capture_output=True, timeout=30)
    return done.returncode


def test_healthcheck_passes_on_a_live_process(health_server: ThreadingHTTPServer) -> None:
    _Health.status = 200
    assert _run_healthcheck(health_server.server_address[1]) == 0


def test_healthcheck_fails_on_an_unhealthy_or_absent_process(
    health_server: ThreadingHTTPServer,
) -> None:
    _Health.status = 503
    try:
        assert _run_healthcheck(health_server.server_address[1]) != 0
    finally:
        _Health.status = 200
    port = health_server.server_address[1]
    health_server.shutdown()
    health_server.server_close()
    assert _run_healthcheck(port) != 0


def test_healthcheck_has_a_timeout_and_start_period() -> None:
    (check,) = FINAL.all("HEALTHCHECK")
    flags = dict(f.lstrip("-").split("=", 1) for f in check.flags)
    assert {"interval", "timeout", "start-period", "retries"} <= flags.keys()
