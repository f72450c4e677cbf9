"""The sample project (sample_apps/django_project): its routes, and its settings' checks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.testing import bearer

ROOT = Path(__file__).resolve().parents[3]
MANAGE = ROOT / "sample_apps" / "django_project" / "manage.py"
pytestmark = [pytest.mark.usefixtures("guard"), pytest.mark.django_db]
if str(ROOT) not in sys.path:  # `pytest` (unlike `python -m pytest`) does not add the cwd
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _sample_urls() -> Iterator[None]:
    with override_settings(ROOT_URLCONF="sample_apps.django_project.urls"):
        yield


def test_sample_routes(client: Client, emulator: Emulator) -> None:
    admin = emulator.add_user(username="root", password="Passw0rd!", name="Root", groups=("admin",))
    token = emulator.mint_access_token(admin.sub, groups=("admin",))
    assert client.get("/public").json() == {"user": None, "message": "Hello, world."}
    assert client.get("/public", headers=bearer("a.b.c")).status_code == 401
    assert client.get("/private").status_code == 401
    private = client.get("/private", headers=bearer(token)).json()
    assert private == {
        "user": admin.sub,
        "anonymous": False,
        "groups": ["admin"],
        "django_user": admin.sub,
    }
    assert client.get("/admin", headers=bearer(token)).status_code == 200
    profile = client.get("/profile", headers=bearer(token)).json()
    assert profile["profile"]["name"] == "Root"
    plain = emulator.mint_access_token(emulator.add_user(username="bob", password="x").sub)
    assert client.get("/admin", headers=bearer(plain)).status_code == 403


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDBASE_AUTH_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_sample_settings_pass_the_checks_from_environment_variables() -> None:
    done = manage("check", CLOUDBASE_AUTH_ENV_ID="my-env", CLOUDBASE_AUTH_VERIFY_MODE="introspect")
    assert done.returncode == 0, done.stderr


def test_sample_with_a_misspelt_variable_names_the_setting() -> None:
    done = manage("check", CLOUDBASE_AUTH_VERIFY_MOD="jwks")
    assert done.returncode == 1
    assert "cloudbase_auth.E003" in done.stderr and "did you mean 'VERIFY_MODE'" in done.stderr
