"""The CLI: ``python -m cloudbase_auth_mw emulator`` as a real subprocess on a free port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cloudbase_auth_mw.emulator.cli import main


def launch(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cloudbase_auth_mw", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        proc.kill()
        pytest.fail(f"no base URL printed; stderr: {proc.communicate(timeout=10)[1]}")
    return proc, base_url


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.json"
    path.write_text(
        json.dumps(
            {
                "users": [
                    {
                        "username": "bob",
                        "password": "Passw0rd!",
                        "email": "bob@example.com",
                        "groups": ["staff"],
                    }
                ]
            }
        )
    )
    return path


@pytest.fixture
def server(users_file: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, base_url = launch(
        "--env-id",
        "cli-env",
        "--user",
        "alice:Passw0rd!",
        "--users-file",
        str(users_file),
        "--token-lifetime",
        "60",
        "--verification-code",
        "999999",
        "--no-anonymous",
        "--issuer",
        "gateway",
    )
    yield proc, base_url
    if proc.poll() is None:
        proc.kill()
        proc.communicate(timeout=10)


def test_cli_serves_configured_emulator(server: tuple[subprocess.Popen[str], str]) -> None:
    proc, base_url = server
    api = base_url + "/auth/v1"
    alice = requests.post(
        api + "/signin", data='{"username":"alice","password":"Passw0rd!"}', timeout=5
    )
    assert alice.status_code == 200 and alice.json()["expires_in"] == 60
    bob = requests.post(
        api + "/signin", json={"username": "bob@example.com", "password": "Passw0rd!"}, timeout=5
    )
    assert bob.json()["groups"] == ["staff"]
    anonymous = requests.post(
        api + "/signin/anonymously", headers={"x-device-id": "d" * 32}, timeout=5
    )
    assert anonymous.status_code == 403
    vid = requests.post(api + "/verification", json={"email": "new@example.com"}, timeout=5).json()
    verified = requests.post(
        api + "/verification/verify",
        json={"verification_id": vid["verification_id"], "verification_code": "999999"},
        timeout=5,
    )
    assert verified.status_code == 200
    health = requests.get(base_url + "/_emulator/health", timeout=5).json()
    assert health["issuer"] == "https://cli-env.api.tcloudbasegateway.com"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "verification code 999999" in err and "emulator stopped" in err
    assert "Passw0rd!" not in out + err


def test_cli_stops_on_ctrl_c() -> None:
    proc, base_url = launch()
    assert requests.get(base_url + "/auth/v1/certs", timeout=5).status_code == 200
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    proc.communicate(timeout=10)


@pytest.mark.parametrize(
    "argv",
    [["--user", "no-password"], ["--users-file", "/nonexistent/users.json"]],
)
def test_cli_bad_input_exits_1(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "0", *argv]) == 1
    assert "emulator:" in capsys.readouterr().err


def test_cli_bad_users_file_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "u.json"
    path.write_text('{"users": "nope"}')
    assert main(["--port", "0", "--users-file", str(path)]) == 1
    assert "expected a JSON list" in capsys.readouterr().err


def test_cli_port_in_use_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert "emulator:" in capsys.readouterr().err
