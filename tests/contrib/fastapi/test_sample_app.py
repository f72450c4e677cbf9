"""The sample app (sample_apps/starlette_app) configured from CLOUDBASE_AUTH_* env vars."""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloudbase_auth_mw.core.errors import ConfigurationError
from cloudbase_auth_mw.emulator import Emulator

APP = Path(__file__).parents[3] / "sample_apps" / "starlette_app" / "app.py"


def load_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("starlette_sample_app", APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Any:
    monkeypatch.setenv("CLOUDBASE_AUTH_ENV_ID", emulator.env_id)
    monkeypatch.setenv("CLOUDBASE_AUTH_BASE_URL", emulator.base_url)
    monkeypatch.setenv("CLOUDBASE_AUTH_VERIFY_MODE", "jwks")
    with TestClient(load_app().app) as client:
        yield client


def test_routes(sample: TestClient, emulator: Emulator) -> None:
    alice = emulator.add_user(
        username="alice", password="Passw0rd!", name="Alice", groups=("user", "admin")
    )
    bob = emulator.add_user(username="bob", password="Passw0rd!", name="Bob")
    alice_token = emulator.issue_tokens(alice)["access_token"]
    bob_token = emulator.issue_tokens(bob)["access_token"]

    def get(path: str, token: str | None = None) -> Any:
        return sample.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})

    assert get("/public").json()["user"] is None
    assert get("/private").status_code == 401
    assert get("/private", bob_token).json()["user"] == bob.sub
    assert get("/admin", bob_token).status_code == 403
    assert get("/admin", alice_token).json()["groups"] == ["user", "admin"]
    assert get("/profile", alice_token).json()["name"] == "Alice"
    assert "CloudBaseBearer" in get("/openapi.json").json()["components"]["securitySchemes"]


def test_missing_env_id_stops_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDBASE_AUTH_ENV_ID", raising=False)
    with pytest.raises(ConfigurationError, match="CLOUDBASE_AUTH_ENV_ID"):
        load_app()
