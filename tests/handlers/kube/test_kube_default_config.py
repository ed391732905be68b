"""KUBECONFIG unset outside a pod: `~/.kube/config` is used, as kubectl does (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers import kube as k8s
from handlers.core.check import CheckContext
from handlers.core.settings import Settings
from tests.fakes.kube import FakeKube, kube_fixture, write_kubeconfig  # noqa: F401


async def test_home_kube_config_is_used_when_kubeconfig_is_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kube: FakeKube
) -> None:
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    default = write_kubeconfig(home / ".kube" / "config", kube.url)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    kube.add_secret("apps", "creds", {"client_id": "from-home-config"})
    ctx = CheckContext(settings=Settings(kubeconfig=None))
    assert await k8s.read_secret(ctx, "apps", "creds") == {"client_id": "from-home-config"}
    assert ctx.kube is not None
    assert ctx.kube.source == f"kubeconfig {default}"


async def test_kubeconfig_wins_over_home_and_missing_home_config_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kube: FakeKube
) -> None:
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    write_kubeconfig(home / ".kube" / "config", "http://127.0.0.1:1")  # would fail if used
    monkeypatch.setenv("HOME", str(home))
    assert k8s.kubeconfig_path(str(kube.kubeconfig)) == str(kube.kubeconfig)
    ctx = CheckContext(settings=Settings(kubeconfig=str(kube.kubeconfig)))
    kube.add_secret("apps", "creds", {"a": "b"})
    assert await k8s.read_secret(ctx, "apps", "creds") == {"a": "b"}

    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    assert k8s.kubeconfig_path(None) is None
    with pytest.raises(k8s.KubeNotConfigured, match=r"~/\.kube/config does not exist"):
        await k8s.read_secret(CheckContext(settings=Settings(kubeconfig=None)), "apps", "creds")
