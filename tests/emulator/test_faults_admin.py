"""Faults, counters, reset and the /_emulator admin API (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from emu_support import Api

from cloudbase_auth_mw.emulator import Emulator

CERTS = "/auth/v1/certs"


def admin(emu: Emulator, method: str, path: str, body: Any = None) -> Any:
    r = requests.request(method, emu.base_url + "/_emulator" + path, json=body, timeout=5)
    return r.status_code, r.json()


# ---------------------------------------------------------------- faults
def test_down_drops_the_connection(emulator: Emulator) -> None:
    emulator.faults.down(True)
    with pytest.raises(requests.ConnectionError):
        requests.get(emulator.base_url + CERTS, timeout=5)
    assert admin(emulator, "GET", "/health")[0] == 200  # the admin API stays up
    emulator.faults.down(False)
    assert requests.get(emulator.base_url + CERTS, timeout=5).status_code == 200
    assert emulator.counters[CERTS] == 2


def test_down_503_answers_non_json(emulator: Emulator) -> None:
    emulator.faults.down(True, mode="503")
    r = requests.get(emulator.base_url + CERTS, headers={"x-request-id": "rid"}, timeout=5)
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["x-request-id"] == "rid"
    with pytest.raises(ValueError):
        r.json()
    with pytest.raises(ValueError):
        emulator.faults.down(True, mode="sideways")


def test_latency(emulator: Emulator) -> None:
    emulator.faults.latency(0.3)
    with pytest.raises(requests.Timeout):
        requests.get(emulator.base_url + CERTS, timeout=0.1)
    started = time.monotonic()
    assert requests.get(emulator.base_url + CERTS, timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.3
    emulator.faults.latency(0)


def test_fail_on_a_path_a_number_of_times(emulator: Emulator) -> None:
    emulator.faults.fail(CERTS, status=500, body=b'{"error":"internal"}', times=2)
    statuses = [requests.get(emulator.base_url + CERTS, timeout=5).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    emulator.faults.fail("/auth/v1/*", status=429)
    assert requests.get(emulator.base_url + "/auth/v1/user/me", timeout=5).status_code == 429
    emulator.faults.clear()
    assert requests.get(emulator.base_url + CERTS, timeout=5).status_code == 200


def test_malformed_json(emulator: Emulator) -> None:
    emulator.faults.malformed_json(CERTS, times=1)
    r = requests.get(emulator.base_url + CERTS, timeout=5)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    assert requests.get(emulator.base_url + CERTS, timeout=5).json()["keys"]


# ---------------------------------------------------------------- counters and reset
def test_counters_count_per_path(emulator: Emulator, api: Api) -> None:
    assert emulator.counters[CERTS] == 0
    api.get("/v1/certs")
    api.get("/v1/certs")
    api.post("/v1/signin/anonymously")
    assert emulator.counters[CERTS] == 2
    assert emulator.counters.snapshot() == {CERTS: 2, "/auth/v1/signin/anonymously": 1}
    emulator.reset_counters()
    assert emulator.counters.total() == 0


def test_reset_forgets_everything_but_keys(emulator: Emulator, api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    emulator.faults.latency(5)
    emulator.settings.anonymous_enabled = False
    emulator.set_time(1)
    kid = emulator.signing_kid
    emulator.rotate_keys()
    emulator.reset()
    assert emulator.users == [] and emulator.counters.total() == 0
    assert emulator.faults.delay == 0 and emulator.settings.anonymous_enabled
    assert abs(emulator.now() - time.time()) < 5
    assert emulator.signing_kid == kid
    assert api.get("/v1/token/introspect", token=token).body == {}


# ---------------------------------------------------------------- admin API
def test_admin_users_tokens_and_mint(emulator: Emulator, api: Api) -> None:
    status, user = admin(
        emulator, "POST", "/users", {"username": "dave", "password": "Passw0rd!", "groups": ["ops"]}
    )
    assert status == 200 and user["groups"] == [{"id": "ops"}]
    assert api.signin("dave")["sub"] == user["sub"]
    assert [u["sub"] for u in admin(emulator, "GET", "/users")[1]["users"]] == [user["sub"]]
    tokens = admin(emulator, "POST", "/tokens", {"sub": user["sub"]})[1]
    assert tokens["refresh_token"] and tokens["sub"] == user["sub"]
    minted = admin(emulator, "POST", "/mint", {"sub": user["sub"], "lifetime": 60})[1][
        "access_token"
    ]
    assert api.get("/v1/token/introspect", token=minted).body["sub"] == user["sub"]
    assert admin(emulator, "POST", "/revoke", {"token": minted}) == (200, {})
    assert api.get("/v1/token/introspect", token=minted).body == {}


def test_admin_faults_counters_time_keys(emulator: Emulator) -> None:
    assert (
        admin(emulator, "POST", "/faults", {"fail": {"path": CERTS, "status": 502, "times": 1}})[0]
        == 200
    )
    assert requests.get(emulator.base_url + CERTS, timeout=5).status_code == 502
    assert admin(emulator, "GET", "/counters")[1] == {CERTS: 1}
    assert admin(emulator, "DELETE", "/counters") == (200, {})
    admin(emulator, "POST", "/faults", {"down": True, "down_mode": "503", "latency": 0.01})
    assert requests.get(emulator.base_url + CERTS, timeout=5).status_code == 503
    admin(emulator, "POST", "/faults", {"malformed_json": {"path": CERTS}, "down": False})
    with pytest.raises(ValueError):
        requests.get(emulator.base_url + CERTS, timeout=5).json()
    assert admin(emulator, "DELETE", "/faults") == (200, {})
    assert requests.get(emulator.base_url + CERTS, timeout=5).json()["keys"]
    assert admin(emulator, "POST", "/time", {"set": 1_800_000_000})[1] == {"now": 1_800_000_000}
    assert admin(emulator, "POST", "/time", {"advance": 5})[1] == {"now": 1_800_000_005}
    assert admin(emulator, "GET", "/time")[1]["now"] == 1_800_000_005
    rotated = admin(emulator, "POST", "/rotate-keys", {"keep_old": False})[1]
    assert rotated["kid"] == emulator.signing_kid and len(rotated["jwks"]["keys"]) == 1


def test_admin_settings_and_reset(emulator: Emulator, api: Api) -> None:
    status, settings = admin(
        emulator,
        "POST",
        "/settings",
        {"anonymous_enabled": "false", "token_lifetime": 60, "captcha_paths": ["/v1/verification"]},
    )
    assert status == 200 and settings["anonymous_enabled"] is False
    assert settings["token_lifetime"] == 60 and settings["captcha_paths"] == ["/v1/verification"]
    assert api.post("/v1/signin/anonymously").status == 403
    assert api.post("/v1/verification", {"email": "a@b.c"}).body["error"] == "captcha_required"
    assert admin(emulator, "GET", "/settings")[1]["token_lifetime"] == 60
    assert admin(emulator, "POST", "/reset") == (200, {})
    assert api.post("/v1/signin/anonymously").body["expires_in"] == 7200


def test_admin_errors(emulator: Emulator) -> None:
    status, body = admin(emulator, "GET", "/nope")
    assert status == 404 and body["error"] == "not_found"
    status, body = admin(emulator, "POST", "/mint", {})
    assert status == 400 and body["error"] == "invalid_argument"
    status, body = admin(emulator, "POST", "/time", {"advance": "soon"})
    assert status == 400 and body["error"] == "invalid_argument"
    assert admin(emulator, "GET", "/health")[1]["env_id"] == "test-env"


def test_counters_and_faults_ignore_admin_paths(emulator: Emulator) -> None:
    emulator.faults.fail("*", status=500)
    assert admin(emulator, "GET", "/health")[0] == 200
    assert emulator.counters.total() == 0


def test_restart_on_new_port_keeps_state(emulator: Emulator) -> None:
    emulator.add_user(username="erin", password="Passw0rd!")
    first = emulator.base_url
    emulator.stop()
    with pytest.raises(RuntimeError):
        _ = emulator.base_url
    emulator.start()
    assert emulator.base_url != first or emulator.port > 0
    assert Api(emulator).signin("erin")["access_token"]


def test_context_manager_and_repr() -> None:
    with Emulator(env_id="ctx-env") as emu:
        assert "ctx-env" in repr(emu) and emu.base_url in repr(emu)
        url = emu.base_url
    assert "stopped" in repr(emu)
    with pytest.raises(requests.ConnectionError):
        requests.get(url + CERTS, timeout=2)
