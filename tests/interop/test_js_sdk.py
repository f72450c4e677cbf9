"""The official client, @cloudbase/js-sdk 3.7.0 in Node, against the emulator (reference §10).

The SDK is installed with ``npm ci`` into ``tests/interop/node_modules`` (git-ignored) from the
committed ``package-lock.json``, once: later runs reuse it when the pinned version is there.
Without Node/npm or the registry the tests skip locally and FAIL under ``CI=true``.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.testing.services import on_ci

pytestmark = pytest.mark.node

HERE = Path(__file__).parent
SDK_VERSION = json.loads((HERE / "package.json").read_text())["dependencies"]["@cloudbase/js-sdk"]
PASSWORD = "Passw0rd!"


def unavailable(reason: str) -> None:
    if on_ci():
        pytest.fail(f"{reason} (CI=true: the official-client interop test must run)", pytrace=False)
    pytest.skip(reason)


def installed_version() -> str | None:
    manifest = HERE / "node_modules" / "@cloudbase" / "js-sdk" / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


@pytest.fixture(scope="session")
def sdk() -> Path:
    """The interop folder with the pinned SDK installed (installing it if needed)."""
    if not shutil.which("node") or not shutil.which("npm"):
        unavailable("node and npm are needed for the JS SDK interop test")
    with (HERE / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time (parallel test runs)
        if installed_version() != SDK_VERSION:
            result = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=HERE,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if result.returncode != 0 or installed_version() != SDK_VERSION:
                unavailable(f"npm ci failed: {result.stderr.strip()[-2000:]}")
    return HERE


def run_sdk(sdk: Path, emu: Emulator, **options: Any) -> dict[str, Any]:
    """Run sdk_flow.js against ``emu``; its steps by name."""
    config = {
        "host": f"127.0.0.1:{emu.port}",
        "env": emu.env_id,
        "username": "alice",
        "password": PASSWORD,
        **options,
    }
    result = subprocess.run(
        ["node", "sdk_flow.js", json.dumps(config)],
        cwd=sdk,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("SDK_FLOW_RESULT ")]
    assert lines, f"no result from node (rc {result.returncode}): {result.stderr[-3000:]}"
    outcome = json.loads(lines[-1].removeprefix("SDK_FLOW_RESULT "))
    assert "fatal" not in outcome, outcome
    return {step["step"]: step for step in outcome["steps"]}


def value(steps: dict[str, Any], name: str) -> Any:
    step = steps[name]
    assert step["ok"], step
    return step["value"]


def introspect(emu: Emulator, token: str) -> Any:
    headers = {"authorization": f"Bearer {token}"}
    return requests.get(emu.api_base + "/v1/token/introspect", headers=headers, timeout=5).json()


def test_official_sdk_full_flow(sdk: Path, emulator_factory: Callable[..., Emulator]) -> None:
    # 31 s: the SDK refreshes at expires_in - 30 s, so one short wait forces one refresh.
    emu = emulator_factory(token_lifetime=31)
    alice = emu.add_user(username="alice", password=PASSWORD, email="alice@example.com")
    steps = run_sdk(sdk, emu, expiry_wait_ms=1200)

    anonymous = value(steps, "anonymous")
    assert anonymous["error"] is None and anonymous["user"]["is_anonymous"] is True
    assert value(steps, "anonymous_user")["user"]["id"] == anonymous["user"]["id"]
    assert introspect(emu, anonymous["access_token"]) == {}  # signOut revoked it

    password = value(steps, "password")
    assert password["error"] is None
    assert password["user"] == {
        "id": alice.sub,
        "is_anonymous": False,
        "email": "alice@example.com",
    }
    assert value(steps, "password_user")["user"]["id"] == alice.sub

    refreshed = value(steps, "refresh_session")
    assert refreshed["error"] is None
    assert refreshed["refresh_token"] != password["refresh_token"]
    assert value(steps, "after_expiry_user")["user"]["id"] == alice.sub
    latest = value(steps, "access_token")
    assert latest not in (password["access_token"], refreshed["access_token"])  # auto-refreshed
    assert emu.counters["/auth/v1/token"] == 2

    bad = value(steps, "bad_password")
    assert bad["error"]["code"] == "invalid_password" and bad["user"] is None

    assert value(steps, "signout")["error"] is None
    for token in (password["access_token"], refreshed["access_token"], latest):
        assert introspect(emu, token) == {}  # the whole session was revoked
    after = value(steps, "signed_out_user")
    assert after["user"] is None and after["error"]["code"] == "unauthenticated"


def test_official_sdk_reads_error_bodies(
    sdk: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    emu = emulator_factory(anonymous_enabled=False)
    steps = run_sdk(sdk, emu, scenario="errors")
    disabled = value(steps, "anonymous_disabled")
    assert disabled["error"]["code"] == "unimplemented"
    assert "anonymous login is not enabled" in disabled["error"]["message"]
    assert value(steps, "unknown_user")["error"]["code"] == "not_found"
    assert value(steps, "no_session_user")["user"] is None
