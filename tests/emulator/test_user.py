"""Checklist §11 items 8, 10 and 11: /user/me, sudo, password, deletion, providers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from emu_support import Api, assert_error, assert_success

from cloudbase_auth_mw.emulator import Emulator

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def sudo(api: Api, token: str, **body: Any) -> Any:
    return api.post("/v1/user/sudo", body, token=token)


# ---------------------------------------------------------------- /user/me (§3.9)
def test_profile_shape(api: Api, emulator: Emulator) -> None:
    user = emulator.add_user(
        username="carol",
        password="Passw0rd!",
        email="carol@example.com",
        phone_number="13000000000",
        name="Carol",
        groups=("user", "staff"),
    )
    token = api.signin("carol")["access_token"]
    me = api.get("/v1/user/me", token=token, params={"with_role": "true"}).body
    assert_success(me)
    assert me["sub"] == me["user_id"] == user.sub
    assert me["name"] == "Carol" and me["username"] == "carol"
    assert me["email"] == "carol@example.com" and me["phone_number"] == "+86 13000000000"
    assert me["status"] == "ACTIVE" and me["groups"] == [{"id": "user"}, {"id": "staff"}]
    assert me["has_password"] is True
    for field in ("created_at", "updated_at", "password_updated_at", "last_login"):
        assert RFC3339.fullmatch(me[field]), field


def test_profile_needs_a_live_token(api: Api, emulator: Emulator, alice: Any) -> None:
    assert_error(api.get("/v1/user/me"), "unauthenticated", 16, 401)
    assert_error(api.get("/v1/user/me", token="garbage"), "unauthenticated", 16, 401)
    expired = emulator.mint_access_token(alice.sub, issued_at=emulator.now() - 8000)
    assert_error(api.get("/v1/user/me", token=expired), "unauthenticated", 16, 401)


def test_minted_token_for_unknown_user_is_not_found(api: Api, emulator: Emulator) -> None:
    token = emulator.mint_access_token("1234567890123456789")
    assert_error(api.get("/v1/user/me", token=token), "not_found", 5, 404)


# ---------------------------------------------------------------- sudo (§3.11)
def test_sudo_with_password(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    body = sudo(api, token, password="Passw0rd!").body
    assert body["expires_in"] == 900 and body["sudo_token"]
    assert sudo(api, token, password="wrong").body["error"] == "invalid_password"
    assert sudo(api, token).body["error"] == "invalid_argument"
    assert_error(sudo(api, "garbage", password="Passw0rd!"), "unauthenticated", 16, 401)


def test_sudo_with_verification_token(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    vid = api.post("/v1/verification", {"phone_number": "+86 13800000000"}).body["verification_id"]
    vtoken = api.post(
        "/v1/verification/verify", {"verification_id": vid, "verification_code": "123456"}
    ).body["verification_token"]
    assert sudo(api, token, verification_token=vtoken).status == 200
    other = api.post("/v1/verification", {"email": "x@example.com"}).body["verification_id"]
    xtoken = api.post(
        "/v1/verification/verify", {"verification_id": other, "verification_code": "123456"}
    ).body["verification_token"]
    assert sudo(api, token, verification_token=xtoken).body["error"] == "invalid_argument"


# ---------------------------------------------------------------- password (§3.12)
@pytest.mark.parametrize("where", ["body", "query"])
def test_password_change_with_sudo(api: Api, alice: Any, where: str) -> None:
    mine, elsewhere = api.signin(), api.signin()
    token = mine["access_token"]
    sudo_token = sudo(api, token, password="Passw0rd!").body["sudo_token"]
    body: dict[str, str] = {"new_password": "N3w-Passw0rd"}
    params = None
    if where == "body":
        body["sudo_token"] = sudo_token
    else:
        params = {"sudo_token": sudo_token}
    answer = api.call("PATCH", "/v1/user/password", body, token=token, params=params)
    assert (answer.status, answer.body) == (200, {})
    assert api.signin("alice", "N3w-Passw0rd")["sub"] == alice.sub
    assert api.post("/v1/signin", {"username": "alice", "password": "Passw0rd!"}).body["error"]
    assert api.get("/v1/user/me", token=token).status == 200  # this session survives
    dead = api.get("/v1/user/me", token=elsewhere["access_token"])
    assert dead.body["error"] == "unauthenticated"  # other devices are signed out


def test_password_change_bad_sudo_is_permission_denied(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    for sudo_token in (None, "s.bogus"):
        body = {"new_password": "N3w-Passw0rd"} | ({"sudo_token": sudo_token} if sudo_token else {})
        answer = api.call("PATCH", "/v1/user/password", body, token=token)
        assert_error(answer, "permission_denied", 7, 403)


def test_sudo_token_is_single_use_and_expires(api: Api, emulator: Emulator, alice: Any) -> None:
    token = api.signin()["access_token"]
    first = sudo(api, token, password="Passw0rd!").body["sudo_token"]
    body = {"new_password": "N3w-Passw0rd", "sudo_token": first}
    assert api.call("PATCH", "/v1/user/password", body, token=token).status == 200
    assert api.call("PATCH", "/v1/user/password", body, token=token).body["error_code"] == 7
    late = sudo(api, token, password="N3w-Passw0rd").body["sudo_token"]
    emulator.advance(901)
    token = emulator.issue_tokens(alice)["access_token"]
    body = {"new_password": "Oth3r-Passw0rd", "sudo_token": late}
    assert api.call("PATCH", "/v1/user/password", body, token=token).body["error_code"] == 7


def test_seed_password_change_with_old_password(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    body = {"old_password": "Passw0rd!", "new_password": "N3w-Passw0rd"}
    assert api.call("PATCH", "/v1/user/password", body, token=token).body == {}
    wrong = {"old_password": "nope", "new_password": "An0ther-Passw0rd"}
    assert (
        api.call("PATCH", "/v1/user/password", wrong, token=token).body["error"]
        == "invalid_password"
    )


@pytest.mark.parametrize("new", ["short1!", "alllowercase1!", "NoDigits!!", "NoSpecial123"])
def test_password_policy(api: Api, alice: Any, new: str) -> None:
    token = api.signin()["access_token"]
    body = {"old_password": "Passw0rd!", "new_password": new}
    answer = api.call("PATCH", "/v1/user/password", body, token=token)
    assert_error(answer, "invalid_argument", 3, 400)


def test_password_policy_can_be_off_and_confirm_must_match(
    api: Api, emulator: Emulator, alice: Any
) -> None:
    emulator.settings.password_policy = False
    token = api.signin()["access_token"]
    mismatch = {"old_password": "Passw0rd!", "new_password": "new", "confirm_password": "other"}
    assert api.call("PATCH", "/v1/user/password", mismatch, token=token).body["error"]
    body = {"old_password": "Passw0rd!", "new_password": "new", "confirm_password": "new"}
    assert api.call("PATCH", "/v1/user/password", body, token=token).body == {}


# ---------------------------------------------------------------- delete (§3.10)
def test_delete_me_needs_sudo_token_in_query(api: Api, emulator: Emulator, alice: Any) -> None:
    token = api.signin()["access_token"]
    assert_error(api.call("DELETE", "/v1/user/me", token=token), "permission_denied", 7, 403)
    bad = api.call("DELETE", "/v1/user/me", token=token, params={"sudo_token": "s.bogus"})
    assert_error(bad, "permission_denied", 7, 403)
    sudo_token = sudo(api, token, password="Passw0rd!").body["sudo_token"]
    answer = api.call("DELETE", "/v1/user/me", token=token, params={"sudo_token": sudo_token})
    assert (answer.status, answer.body) == (200, {})
    assert emulator.get_user(alice.sub) is None
    assert_error(api.get("/v1/user/me", token=token), "unauthenticated", 16, 401)
    assert api.post("/v1/signin", {"username": "alice", "password": "Passw0rd!"}).body["error"]


# ---------------------------------------------------------------- providers (§3.13)
def provider_token(api: Api, code: str = "code-1", provider: str = "github") -> str:
    body = api.post("/v1/provider/token", {"provider_id": provider, "provider_code": code}).body
    assert body["expires_in"] == 3600 and body["provider_profile"]["provider_id"] == provider
    return str(body["provider_token"])


def test_provider_list_bind_unbind(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    listed = api.get("/v1/user/provider", token=token).body
    assert listed["total"] == 2 and {row["id"] for row in listed["data"]} == {"email", "phone"}
    assert all(row["bind"] is True for row in listed["data"])
    bound = api.post("/v1/user/provider/bind", {"provider_token": provider_token(api)}, token=token)
    assert (bound.status, bound.body) == (200, {})
    seed = api.get("/v1/user/providers", token=token).body
    assert seed["total"] == 3 and "github" in {row["id"] for row in seed["data"]}
    me = api.get("/v1/user/me", token=token).body
    assert me["providers"][0]["id"] == "github"
    assert api.call("DELETE", "/v1/user/provider/github", token=token).body == {}
    again = api.call("DELETE", "/v1/user/provider/github", token=token)
    assert_error(again, "not_found", 5, 404)
    assert api.get("/v1/user/provider", token=token).body["total"] == 2


def test_provider_signin_and_signup(api: Api, alice: Any, emulator: Emulator) -> None:
    unknown = api.post("/v1/signin/with/provider", {"provider_token": provider_token(api, "c2")})
    assert unknown.body["error"] == "not_found"
    created = api.post("/v1/signup", {"provider_token": provider_token(api, "c2")}).body
    assert created["scope"] == "user sso"
    back = api.post("/v1/signin/with/provider", {"provider_token": provider_token(api, "c2")}).body
    assert back["sub"] == created["sub"]
    dup = api.post("/v1/signup", {"provider_token": provider_token(api, "c2")})
    assert dup.body["error"] == "already_exists"
    alice_token = api.signin()["access_token"]
    taken = api.post(
        "/v1/user/provider/bind", {"provider_token": provider_token(api, "c2")}, token=alice_token
    )
    assert taken.body["error"] == "already_exists"


def test_provider_errors(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    assert (
        api.post("/v1/provider/token", {"provider_id": "github"}).body["error"]
        == "invalid_argument"
    )
    bogus = api.post("/v1/user/provider/bind", {"provider_token": "p.bogus"}, token=token)
    assert bogus.body["error"] == "invalid_argument"
    assert api.get("/v1/user/provider").body["error"] == "unauthenticated"
