"""The client demo: the seed scenarios 1-7 walk green, and a broken service shows red."""

from __future__ import annotations

import io

import pytest

from cloudbase_auth_mw import demo
from cloudbase_auth_mw.client import CloudBaseAuthClient
from cloudbase_auth_mw.emulator import Emulator


def test_demo_main_starts_its_emulator_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    for scenario in (
        "1 password",
        "2 SMS",
        "3 anonymous",
        "4 refresh",
        "5 introspect",
        "6 revoke",
        "7 user",
    ):
        assert scenario in out


def test_demo_against_a_running_emulator(
    capsys: pytest.CaptureFixture[str], emulator: Emulator
) -> None:
    emulator.add_user(username="bob", password="Bob-Passw0rd!")
    argv = ["--base-url", emulator.base_url, "--env-id", emulator.env_id, "--username", "bob"]
    assert demo.main([*argv, "--password", "Bob-Passw0rd!"]) == 0
    assert (
        demo.main([*argv, "--password", "Bob-Passw0rd!"]) == 0
    )  # repeatable: scenario 7 cleans up
    assert demo.main([*argv, "--password", "wrong"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_rows_from_a_client(emulator: Emulator) -> None:
    emulator.add_user(username="alice", password=demo.DEMO_PASSWORD)
    with CloudBaseAuthClient(env_id=emulator.env_id, base_url=emulator.base_url) as client:
        rows = demo.run_client_scenarios(client)
    assert demo.all_passed(rows)
    assert len({row.scenario for row in rows}) == 7


def test_failures_are_reported_not_raised(emulator: Emulator) -> None:
    emulator.add_user(username="alice", password=demo.DEMO_PASSWORD)
    emulator.settings.anonymous_enabled = False
    emulator.settings.verification_code = "654321"
    rows = demo.run_client_scenarios(emulator.base_url, env_id=emulator.env_id)
    failed = {(row.scenario, row.step, row.got) for row in rows if not row.ok}
    assert failed == {
        ("2 SMS sign-up", "verify code", "InvalidVerificationCode"),
        ("3 anonymous sign-in", "sign in", "Unimplemented"),
    }
    assert not demo.all_passed(rows)


def test_unreachable_service_fails_every_scenario(refused_url: str) -> None:
    rows = demo.run_client_scenarios(refused_url)
    assert rows and not any(row.ok for row in rows)
    assert {row.got for row in rows} == {"ServiceUnreachable"}


def test_print_table_aligns_columns() -> None:
    rows = [
        demo.Row("1 a", "step", "x", "x", True),
        demo.Row("2 longer scenario", "s", "expected", "got", False),
    ]
    out = io.StringIO()
    demo.print_table("title", rows, file=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "title"
    assert len({line.index("|") for line in lines[1:4] if "|" in line}) == 1
    assert lines[-1] == "1/2 steps passed"
    assert "PASS" in lines[3] and "FAIL" in lines[4]
    assert not demo.all_passed([])
