"""One command per sample app: ``python -m sample_apps.<app> --emulator``."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from cloudbase_auth_mw.client import CloudBaseAuthClient


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[str], timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app exited"
        try:
            return requests.get(url, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.mark.parametrize("app", ["flask_app", "django_project", "starlette_app"])
def test_one_command_serves_the_app_against_an_emulator(app: str, tmp_path: object) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDBASE_AUTH_", "DJANGO_"))}
    env.update(PORT=str(port), DJANGO_DB_PATH=f"{tmp_path}/db.sqlite3")
    process = subprocess.Popen(
        [sys.executable, "-m", f"sample_apps.{app}", "--emulator"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        emulator = re.search(r"emulator: (http://\S+)", process.stdout.readline())
        assert emulator, "the app printed the emulator's address first"
        base = f"http://127.0.0.1:{port}"
        assert _wait(f"{base}/public", process).status_code == 200
        assert requests.get(f"{base}/private", timeout=5).status_code == 401
        with CloudBaseAuthClient(env_id="test-env", base_url=emulator.group(1)) as client:
            token = client.sign_in_with_password("alice", "Passw0rd!").access_token
        admin = requests.get(
            f"{base}/admin", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert admin.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()
