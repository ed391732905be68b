"""The chart renders, lints and validates, and each documented switch does what it says.

Rendering and linting run Helm's Go code (helm-python-sdk); every manifest is then checked
against the Kubernetes OpenAPI schemas shipped by kubernetes-validate, offline.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml
from cryptography.fernet import Fernet
from pydantic import AliasChoices

from handlers.core.settings import Settings
from tests.ship.helmchart import (
    CHART_DIR,
    NAMESPACE,
    RELEASE,
    VARIANTS,
    Rendered,
    container,
    env_of,
    lint,
    render,
)

# Oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest schemas shipped.
KUBE_VERSIONS = ("1.25.0", kubernetes_validate.latest_version())
# Custom resources have no schema in kubernetes-validate; each is checked by hand below.
CUSTOM_KINDS = {
    ("gateway.kyma-project.io/v2", "APIRule"),
    ("keda.sh/v1alpha1", "ScaledObject"),  # checked in test_helm_keda.py
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request: pytest.FixtureRequest) -> tuple[str, Rendered]:
    name: str = request.param
    return name, render(VARIANTS[name])


def test_lint_is_clean_for_every_variant() -> None:
    for name, values in VARIANTS.items():
        report = lint(values)
        assert report["errors"] == [], (name, report)
        # Strict lint: nothing above "info" (icon recommendations are info).
        assert all(m["severity"] <= 1 for m in report["messages"]), (name, report)


def test_lint_reports_a_broken_value() -> None:
    report = lint({"image": {"tag": "latest"}})
    assert report["errors"], "lint must reject a floating tag through values.schema.json"


def test_every_manifest_matches_the_kubernetes_schemas(variant: tuple[str, Rendered]) -> None:
    name, rendered = variant
    assert rendered.docs, name
    for doc in rendered.docs:
        if (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS:
            continue
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(f"{name}: {doc['kind']}/{doc['metadata']['name']} @ {version}: {exc}")


def test_every_object_is_in_a_namespace_or_cluster_scoped_on_purpose(
    variant: tuple[str, Rendered],
) -> None:
    name, rendered = variant
    for doc in rendered.docs:
        if doc["kind"] in {"ClusterRole", "ClusterRoleBinding"}:
            assert "namespace" not in doc["metadata"], name
        else:
            assert doc["metadata"].get("namespace"), (name, doc["kind"], doc["metadata"]["name"])


def test_schema_rejects_unsafe_or_mistyped_values() -> None:
    bad: list[dict[str, Any]] = [
        {"image": {"tag": "latest"}},
        {"slack": {"mode": "websocket"}},
        {"securityContext": {"readOnlyRootFilesystem": False}},
        {"podSecurityContext": {"runAsNonRoot": False}},
        {"worker": {"concurrency": 0}},
        {"rbac": {"secretNamespaces": ["Team_A"]}},
        {"redis": {"url": "http://not-redis"}},
        {"reddis": {"bundled": True}},
    ]
    for values in bad:
        with pytest.raises(helm.HelmValuesError):
            render(values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"redis": {"bundled": False}}, "redis.url"),
        ({"apiRule": {"enabled": True}}, "apiRule.host"),
        (
            {"apiRule": {"enabled": True, "host": "a.example.com"}, "slack": {"mode": "socket"}},
            "slack.mode=http",
        ),
    ],
)
def test_inconsistent_values_fail_with_one_clear_sentence(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(helm.HelmRenderError, match=re.escape(message)):
        render(values)


def test_bundled_redis_gets_its_password_from_a_secret_and_not_the_command_line() -> None:
    rendered = render()
    sts = rendered.get("StatefulSet", f"{RELEASE}-redis")
    redis = sts["spec"]["template"]["spec"]["containers"][0]
    assert redis["image"].rsplit(":", 1)[1][0].isdigit(), redis["image"]
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
    pw_ref = env_of(redis)["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]
    secret = rendered.get("Secret", pw_ref["name"])
    password = base64.b64decode(secret["data"][pw_ref["key"]]).decode()
    assert len(password) >= 32
    assert password.isalnum()
    assert password not in json.dumps(sts)

    for component in ("bot", "worker"):
        env = list(env_of(container(rendered, component)).items())
        names = [n for n, _ in env]
        # Kubernetes expands $(VAR) only from variables defined earlier in the list.
        assert names.index("REDIS_PASSWORD") < names.index("REDIS_URL")
        url = dict(env)["REDIS_URL"]["value"]
        assert url == f"redis://:$(REDIS_PASSWORD)@{RELEASE}-redis.{NAMESPACE}.svc:6379/0"
        assert rendered.get("Service", f"{RELEASE}-redis")["spec"]["ports"][0]["port"] == 6379


def test_external_redis_replaces_the_bundled_one() -> None:
    rendered = render(VARIANTS["external-redis-url"])
    assert not rendered.kind("StatefulSet")
    assert not rendered.has("Secret", f"{RELEASE}-redis")
    for component in ("bot", "worker"):
        env = env_of(container(rendered, component))
        assert env["REDIS_URL"]["value"] == "rediss://redis.example.internal:6380/0"
        assert "REDIS_PASSWORD" not in env

    from_secret = render(VARIANTS["external-redis-secret"])
    ref = env_of(container(from_secret, "worker"))["REDIS_URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "redis-conn", "key": "url"}


def test_existing_secrets_are_referenced_and_not_created() -> None:
    rendered = render(VARIANTS["existing-slack-secret"])
    assert not rendered.kind("Secret"), "every credential comes from an existing Secret"
    env = env_of(container(rendered, "bot"))
    assert env["SLACK_BOT_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "slack-creds",
        "key": "SLACK_BOT_TOKEN",
    }
    assert env["SLACK_SIGNING_SECRET"]["valueFrom"]["secretKeyRef"]["key"] == (
        "SLACK_SIGNING_SECRET"
    )
    assert env["AUTHCHECK_JOB_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "authcheck-keys",
        "key": "fernet",
    }
    assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "redis-auth", "key": "pw"}


def test_credentials_from_values_land_only_in_a_secret() -> None:
    values = VARIANTS["created-slack-secret"]
    rendered = render(values)
    secret = rendered.get("Secret", f"{RELEASE}-slack")
    decoded = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert decoded == {"bot-token": "xoxb-111-222-created", "signing-secret": "s1gn1ngs3cr3tvalue"}
    not_secrets = json.dumps([d for d in rendered.docs if d["kind"] != "Secret"])
    for value in decoded.values():
        assert value not in not_secrets


def test_generated_job_key_is_a_working_fernet_key() -> None:
    rendered = render()
    ref = env_of(container(rendered, "worker"))["AUTHCHECK_JOB_KEY"]["valueFrom"]["secretKeyRef"]
    assert (
        ref == env_of(container(rendered, "bot"))["AUTHCHECK_JOB_KEY"]["valueFrom"]["secretKeyRef"]
    ), "bot and worker must share one key"
    key = base64.b64decode(rendered.get("Secret", ref["name"])["data"][ref["key"]])
    fernet = Fernet(key)
    assert fernet.decrypt(fernet.encrypt(b"job")) == b"job"
    assert key != base64.b64decode(render().get("Secret", ref["name"])["data"][ref["key"]])


def test_http_mode_listens_and_socket_mode_only_dials_out() -> None:
    http = render()
    bot = container(http, "bot")
    env = env_of(bot)
    assert {"PORT", "SLACK_SIGNING_SECRET"} <= env.keys()
    assert "SLACK_APP_TOKEN" not in env, "SLACK_APP_TOKEN would switch the bot to Socket Mode"
    assert {p["name"] for p in bot["ports"]} == {"http", "health"}
    assert http.get("Service", f"{RELEASE}-bot")["spec"]["ports"][0]["targetPort"] == "http"

    socket = render(VARIANTS["socket-mode"])
    bot = container(socket, "bot")
    env = env_of(bot)
    assert env["SLACK_APP_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "app-token"
    assert not {"PORT", "SLACK_SIGNING_SECRET"} & env.keys()
    assert {p["name"] for p in bot["ports"]} == {"health"}
    assert not socket.kind("Service") or not socket.has("Service", f"{RELEASE}-bot")
    # Only the bot talks to Slack's event side; the worker just posts replies.
    worker_env = env_of(container(socket, "worker"))
    assert "SLACK_BOT_TOKEN" in worker_env
    assert "SLACK_APP_TOKEN" not in worker_env


def test_worker_replicas_and_concurrency_are_configurable() -> None:
    rendered = render(VARIANTS["multi-namespace"])
    worker = rendered.get("Deployment", f"{RELEASE}-worker")
    assert worker["spec"]["replicas"] == 4
    assert env_of(container(rendered, "worker"))["AUTHCHECK_WORKER_CONCURRENCY"]["value"] == "16"
    assert rendered.get("PodDisruptionBudget", f"{RELEASE}-worker")["spec"]["minAvailable"] == 1
    assert "AUTHCHECK_WORKER_CONCURRENCY" not in env_of(container(rendered, "bot"))


def test_bot_leaves_the_checks_to_the_worker_unless_embedded() -> None:
    split = render()
    assert container(split, "bot")["args"] == ["serve", "--no-worker"]
    assert container(split, "worker")["args"] == ["worker"]

    embedded = render(VARIANTS["embedded-worker"])
    assert not embedded.has("Deployment", f"{RELEASE}-worker")
    assert container(embedded, "bot")["args"] == ["serve"]


def test_rendered_commands_are_real_cli_commands() -> None:
    """The args the chart passes must be accepted by the installed console script."""
    script = Path(sys.executable).with_name("authcheck")
    seen: set[tuple[str, ...]] = set()
    for name in ("default", "embedded-worker"):
        rendered = render(VARIANTS[name])
        for _, c in rendered.containers():
            if c["name"] in {"bot", "worker"}:
                seen.add(tuple(c["args"]))
    assert seen == {("serve", "--no-worker"), ("worker",), ("serve",)}
    for args in seen:
        done = subprocess.run(
            [str(script), *args, "--help"], capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 0, (args, done.stderr)


def _settings_env_names() -> set[str]:
    names: set[str] = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias)
        elif isinstance(alias, AliasChoices):
            names.update(a for a in alias.choices if isinstance(a, str))
    return names


# Variables the contract (DESIGN.md, process contract) defines outside Settings:
# process plumbing and the bot's Slack-side access control.
PROCESS_ENV = {
    "AUTHCHECK_ALLOWED_CHANNELS",
    "AUTHCHECK_ALLOWED_USERS",
    "HOME",
    "TMPDIR",
    "PYTHONDONTWRITEBYTECODE",
    "PORT",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "REDIS_URL",
    "REDIS_PASSWORD",
    "AUTHCHECK_JOB_KEY",
    "AUTHCHECK_HEALTH_PORT",
    "AUTHCHECK_WORKER_CONCURRENCY",
}


def test_every_env_var_the_chart_sets_is_one_the_app_reads() -> None:
    values = {
        "config": {
            "issuer": "https://issuer.example.com/",
            "introspectUrl": "https://issuer.example.com/introspect",
            "introspectSecret": "ops/introspector",
            "introspectClient": {"existingSecret": "introspect-client"},
            "allowedChannels": ["C1"],
            "allowedUsers": ["U1", "U2"],
            "urlAllowlist": ["10.0.0.0/8"],
        },
        "slack": {"apiUrl": "https://slack.example.com/api/"},
    }
    rendered = render(values)
    known = _settings_env_names() | PROCESS_ENV
    seen: set[str] = set()
    for component in ("bot", "worker"):
        env = env_of(container(rendered, component))
        seen |= env.keys()
        assert env["AUTHCHECK_ALLOWED_USERS"]["value"] == "U1,U2"
    assert seen - known == set(), "the chart sets variables nothing reads"
    assert "AUTHCHECK_INTROSPECT_CLIENT_SECRET" in seen
    assert "AUTHCHECK_ISSUER" in seen


def test_kyma_apirule_exposes_only_the_slack_endpoint() -> None:
    rendered = render(VARIANTS["kyma"])
    (rule,) = rendered.kind("APIRule")
    spec = rule["spec"]
    assert spec["hosts"] == ["authcheck.c-1a2b3c.kyma.ondemand.com"]
    assert spec["gateway"] == "kyma-system/kyma-gateway"
    service = rendered.get("Service", spec["service"]["name"])
    assert spec["service"]["port"] == service["spec"]["ports"][0]["port"]
    assert spec["rules"] == [{"path": "/slack/events", "methods": ["POST"], "noAuth": True}]
    assert container(rendered, "bot")["image"] == "registry.example.com/ops/authcheck:0.1.0"


def test_image_digest_wins_over_tag() -> None:
    digest = "sha256:" + "a" * 64
    rendered = render({"image": {"digest": digest}})
    assert container(rendered, "worker")["image"] == f"ghcr.io/authcheck/authcheck@{digest}"


# ---------------------------------------------------------------------------------------------
# Documentation stays in step with values.yaml.

DATA_BLOBS = {"resources", "podSecurityContext", "securityContext", "probes"}


def _leaf_paths(values: dict[str, Any], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and key not in DATA_BLOBS:
            paths.extend(_leaf_paths(value, path + "."))
        else:
            paths.append(path)
    return paths


def test_every_value_is_commented_in_values_yaml() -> None:
    """Each leaf value (and each data block like `resources`) has a `#` comment right above it."""
    lines = (CHART_DIR / "values.yaml").read_text().splitlines()
    key = re.compile(r"^(\s*)([A-Za-z][A-Za-z0-9]*):(.*)$")
    stack: list[tuple[int, str]] = []
    undocumented: list[str] = []
    for i, line in enumerate(lines):
        match = key.match(line)
        if not match:
            continue
        indent, name, rest = len(match.group(1)), match.group(2), match.group(3).strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        ancestors = [k for _, k in stack]
        stack.append((indent, name))
        if set(ancestors) & DATA_BLOBS:
            continue
        following = next((n for n in lines[i + 1 :] if n.strip()), "")
        is_leaf = bool(rest) or len(following) - len(following.lstrip()) <= indent
        if (is_leaf or name in DATA_BLOBS) and not lines[i - 1].strip().startswith("#"):
            undocumented.append(".".join([*ancestors, name]))
    assert undocumented == []


def test_readme_table_and_schema_cover_every_value() -> None:
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    readme = (CHART_DIR / "README.md").read_text()
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    missing_readme, missing_schema = [], []
    for path in _leaf_paths(values):
        if f"| `{path}` |" not in readme:
            missing_readme.append(path)
        node = schema
        for part in path.split("."):
            node = node.get("properties", {}).get(part, {})
        if not node:
            missing_schema.append(path)
    assert missing_readme == []
    assert missing_schema == []
    assert "helm install" in readme
    assert "kyma" in readme.lower()


def test_a_stopping_worker_outlives_its_longest_check() -> None:
    rendered = render()
    pod = rendered.get("Deployment", f"{RELEASE}-worker")["spec"]["template"]["spec"]
    check_timeout = float(env_of(container(rendered, "worker"))["AUTHCHECK_CHECK_TIMEOUT"]["value"])
    assert pod["terminationGracePeriodSeconds"] > check_timeout
