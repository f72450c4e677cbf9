"""The admin commands against the emulator: flags, environment variables, output, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cloudbase_auth_mw import cli
from cloudbase_auth_mw.emulator import Emulator

PASSWORD = "Passw0rd!x"


@pytest.fixture
def env(emulator: Emulator) -> dict[str, str]:
    """CLOUDBASE_AUTH_* settings pointing at the emulator, with a user ``alice``."""
    emulator.add_user(username="alice", password=PASSWORD)
    return {"CLOUDBASE_AUTH_ENV_ID": emulator.env_id, "CLOUDBASE_AUTH_BASE_URL": emulator.base_url}


def run(
    capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, dict[str, object], str]:
    code = cli.main(list(argv), environ=env)
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def test_commands_are_the_documented_ones() -> None:
    assert {"signin", "signin-anonymous", "refresh", "introspect", "revoke", "me"} == cli.COMMANDS


def test_signin_prints_tokens(capsys: pytest.CaptureFixture[str], env: dict[str, str]) -> None:
    code, out, err = run(capsys, env, "signin", "--username", "alice", "--password", PASSWORD)
    assert code == 0 and err == ""
    assert out["token_type"] == "Bearer" and out["access_token"] and out["refresh_token"]


def test_signin_from_environment(capsys: pytest.CaptureFixture[str], env: dict[str, str]) -> None:
    env |= {"CLOUDBASE_AUTH_USERNAME": "alice", "CLOUDBASE_AUTH_PASSWORD": PASSWORD}
    code, out, _ = run(capsys, env, "signin")
    assert code == 0 and out["sub"]


def test_wrong_password_one_line_without_secret(
    capsys: pytest.CaptureFixture[str], env: dict[str, str]
) -> None:
    code, _, err = run(capsys, env, "signin", "--username", "alice", "--password", "Secret-9!")
    assert code == 1
    assert err.startswith("error: invalid_password") and err.count("\n") == 1
    assert "Secret-9!" not in err


def test_full_token_lifecycle(capsys: pytest.CaptureFixture[str], env: dict[str, str]) -> None:
    _, tokens, _ = run(capsys, env, "signin", "--username", "alice", "--password", PASSWORD)
    code, fresh, _ = run(
        capsys, env | {"CLOUDBASE_AUTH_REFRESH_TOKEN": str(tokens["refresh_token"])}, "refresh"
    )
    assert code == 0 and fresh["refresh_token"] != tokens["refresh_token"]
    code, _, err = run(capsys, env, "refresh", "--refresh-token", str(tokens["refresh_token"]))
    assert code == 1 and "invalid_grant" in err and str(tokens["refresh_token"]) not in err
    access = str(fresh["access_token"])
    code, me, _ = run(capsys, env, "me", "--token", access)
    assert code == 0 and me["username"] == "alice" and me["sub"] == tokens["sub"]
    code, active, _ = run(capsys, env, "introspect", "--token", access)
    assert code == 0 and active["active"] is True and active["sub"] == tokens["sub"]
    code, revoked, _ = run(capsys, env | {"CLOUDBASE_AUTH_TOKEN": access}, "revoke")
    assert code == 0 and revoked == {"revoked": True}
    code, inactive, _ = run(capsys, env, "introspect", "--token", access)
    assert code == 0 and inactive == {"active": False}
    code, _, err = run(capsys, env, "me", "--token", access)
    assert code == 1 and "unauthenticated" in err and access not in err


def test_anonymous_with_pinned_device(
    capsys: pytest.CaptureFixture[str], env: dict[str, str]
) -> None:
    _, first, _ = run(capsys, env, "signin-anonymous", "--device-id", "cli-device-1")
    _, again, _ = run(
        capsys, env | {"CLOUDBASE_AUTH_DEVICE_ID": "cli-device-1"}, "signin-anonymous"
    )
    assert first["scope"] == "anonymous" and first["sub"] == again["sub"]


def test_flags_win_over_environment(
    capsys: pytest.CaptureFixture[str], env: dict[str, str], emulator: Emulator
) -> None:
    wrong = env | {"CLOUDBASE_AUTH_BASE_URL": "http://127.0.0.1:9"}
    code, _, _ = run(capsys, wrong, "signin-anonymous", "--base-url", emulator.base_url)
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["signin-anonymous"], {}, "--env-id is required"),
        (["signin", "--env-id", "e"], {}, "CLOUDBASE_AUTH_USERNAME"),
        (["me", "--env-id", "e"], {}, "CLOUDBASE_AUTH_TOKEN"),
        (["signin-anonymous", "--env-id", "e"], {"CLOUDBASE_AUTH_ENV": "x"}, "CLOUDBASE_AUTH_ENV"),
        (["nope"], {}, "unknown command"),
        ([], {}, "unknown command"),
    ],
)
def test_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], environ: dict[str, str], message: str
) -> None:
    assert cli.main(argv, environ=environ) == 2
    assert message in capsys.readouterr().err


def test_bad_flag_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["signin", "--bogus"], environ={}) == 2
    assert cli.main(["signin", "--help"], environ={}) == 0
    assert "--password" in capsys.readouterr().out


def test_unreachable_service(capsys: pytest.CaptureFixture[str], refused_url: str) -> None:
    environ = {"CLOUDBASE_AUTH_ENV_ID": "e", "CLOUDBASE_AUTH_BASE_URL": refused_url}
    assert cli.main(["introspect", "--token", "tok-123"], environ=environ) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unreachable") and "tok-123" not in err


def test_module_entry_point(env: dict[str, str]) -> None:
    """``python -m cloudbase_auth_mw signin`` dispatches here (the lead's __main__)."""
    completed = subprocess.run(
        [sys.executable, "-m", "cloudbase_auth_mw", "signin", "--username", "alice"],
        env={**os.environ, **env, "CLOUDBASE_AUTH_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["access_token"]
