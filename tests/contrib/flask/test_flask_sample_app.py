"""The Flask sample app, configured only through CLOUDBASE_AUTH_* variables, on the emulator."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from cloudbase_auth_mw.emulator import Emulator

MODULE = "sample_apps.flask_app.app"
ROOT = Path(__file__).resolve().parents[3]  # the repository: sample_apps/ is not installed


@pytest.fixture(autouse=True)
def importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))


@pytest.fixture
def sample(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("CLOUDBASE_AUTH_ENV_ID", emulator.env_id)
    monkeypatch.setenv("CLOUDBASE_AUTH_BASE_URL", emulator.base_url)
    monkeypatch.setenv("CLOUDBASE_AUTH_VERIFY_MODE", "introspect")
    sys.modules.pop(MODULE, None)  # the app reads its settings at import
    yield importlib.import_module(MODULE).app
    sys.modules.pop(MODULE, None)


def test_sample_app_routes(sample: Flask, emulator: Emulator) -> None:
    boss = emulator.add_user(username="boss", password="Passw0rd!", name="Boss")
    client = sample.test_client()
    assert client.get("/public").get_json()["user"] is None
    assert client.get("/public", headers={"Authorization": "Bearer a.b.c"}).status_code == 401
    assert client.get("/private").status_code == 401
    plain = {"Authorization": f"Bearer {emulator.mint_access_token(boss.sub)}"}
    assert client.get("/private", headers=plain).get_json()["user"] == boss.sub
    assert client.get("/admin", headers=plain).status_code == 403
    admin = emulator.mint_access_token(boss.sub, groups=("admin",))
    admin_headers = {"Authorization": f"Bearer {admin}"}
    assert client.get("/admin", headers=admin_headers).get_json()["groups"] == ["admin"]
    assert client.get("/profile", headers=plain).get_json()["name"] == "Boss"
    assert sample.extensions["cloudbase_auth"].guard.config.verify_mode == "introspect"


def test_sample_app_refuses_to_start_without_env_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDBASE_AUTH_ENV_ID", raising=False)
    sys.modules.pop(MODULE, None)
    with pytest.raises(ValueError, match="CLOUDBASE_AUTH_ENV_ID"):
        importlib.import_module(MODULE)
    sys.modules.pop(MODULE, None)
