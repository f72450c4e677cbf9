"""The core flow every other helper relies on: sign in, me, introspect, refresh, revoke."""

from __future__ import annotations

from emu_support import Api, assert_error, assert_success

from cloudbase_auth_mw.emulator import Emulator


def test_signin_me_introspect_refresh_revoke(emulator: Emulator, api: Api, alice: object) -> None:
    tokens = api.signin()
    assert_success(tokens)
    me = api.get("/v1/user/me", token=tokens["access_token"])
    assert me.status == 200 and me.body["username"] == "alice"
    intro = api.get("/v1/token/introspect", token=tokens["access_token"])
    assert intro.body["sub"] == me.body["sub"]
    fresh = api.post(
        "/v1/token", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    )
    assert fresh.status == 200 and fresh.body["refresh_token"] != tokens["refresh_token"]
    assert api.post("/v1/revoke", {"token": fresh.body["access_token"]}).body == {}
    assert api.get("/v1/token/introspect", token=tokens["access_token"]).body == {}
    assert_error(api.get("/v1/user/me", token=tokens["access_token"]), "unauthenticated", 16, 401)


def test_fixture_config_points_at_emulator(emulator: Emulator, emulator_config: object) -> None:
    assert emulator_config.base_url == emulator.base_url  # type: ignore[attr-defined]
    assert emulator_config.effective_jwks_url == emulator.api_base + "/v1/certs"  # type: ignore[attr-defined]
    assert emulator.issuer in emulator_config.effective_issuers  # type: ignore[attr-defined]
