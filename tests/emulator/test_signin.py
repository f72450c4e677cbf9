"""Checklist §11 items 2, 3 and 9: anonymous, password and OTP sign-in, sign-up, captcha."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from emu_support import Api, assert_error, assert_success

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.emulator.jose import b64url_decode


def claims_of(token: str) -> dict[str, Any]:
    return dict(json.loads(b64url_decode(token.split(".")[1])))


# ---------------------------------------------------------------- anonymous (§3.1)
def test_anonymous_needs_device_id(api: Api) -> None:
    answer = api.post("/v1/signin/anonymously", device=None)
    assert_error(answer, "invalid_argument", 3, 400)
    assert "x-device-id" in answer.body["error_description"]


def test_anonymous_same_device_same_sub(api: Api) -> None:
    first = api.post("/v1/signin/anonymously").body
    second = api.post("/v1/signin/anonymously").body
    other = api.post("/v1/signin/anonymously", device="f" * 32).body
    assert first["sub"] == second["sub"] != other["sub"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", first["sub"])


def test_anonymous_token_response_and_claims(api: Api) -> None:
    body = api.post("/v1/signin/anonymously").body
    assert_success(body)
    assert body["scope"] == "anonymous" and body["token_type"] == "Bearer"
    assert body["expires_in"] == 7200 and body["refresh_token"]
    assert body["groups"] == ["anonymous"]
    claims = claims_of(body["access_token"])
    assert claims["scope"] == "anonymous" and claims["name"] == "Anonymous"
    assert re.fullmatch(r"[0-9a-f-]{36}", claims["nonce"])


def test_anonymous_disabled_is_403_unimplemented(api: Api, emulator: Emulator) -> None:
    emulator.settings.anonymous_enabled = False
    assert_error(api.post("/v1/signin/anonymously"), "unimplemented", 12, 403)


def test_seed_anonymous_path(api: Api) -> None:
    assert api.post("/v1/signin-anonymously").body["scope"] == "anonymous"


def test_anonymous_profile(api: Api) -> None:
    body = api.post("/v1/signin/anonymously").body
    me = api.get("/v1/user/me", token=body["access_token"]).body
    assert me["sub"] == body["sub"] and me["groups"] == [{"id": "anonymous"}]
    assert me["has_password"] is False and me["created_from"] == "anonymous"


# ---------------------------------------------------------------- password (§3.2)
@pytest.mark.parametrize(
    ("login", "provider_type"),
    [
        ("alice", "username"),
        ("alice@example.com", "email"),
        ("ALICE@example.com", "email"),
        ("+86 13800000000", "phone"),
        ("13800000000", "phone"),
    ],
)
def test_password_signin_by_any_login(api: Api, alice: Any, login: str, provider_type: str) -> None:
    body = api.signin(login)
    assert body["sub"] == alice.sub and body["scope"] == "user sso"
    assert body["groups"] == ["user"]
    assert claims_of(body["access_token"])["provider_type"] == provider_type


@pytest.mark.parametrize(
    ("body", "error", "code"),
    [
        ({"username": "alice", "password": "wrong"}, "invalid_password", 3),
        ({"username": "nobody", "password": "x"}, "not_found", 5),
        ({"username": "alice"}, "invalid_argument", 3),
        ({}, "invalid_argument", 3),
    ],
)
def test_password_signin_errors(
    api: Api, alice: Any, body: dict[str, str], error: str, code: int
) -> None:
    answer = api.post("/v1/signin", body)
    assert answer.body["error"] == error and answer.body["error_code"] == code


@pytest.mark.parametrize(
    ("status", "error"), [("BLOCKED", "user_blocked"), ("PENDING", "user_pending")]
)
def test_inactive_users_cannot_sign_in(
    api: Api, emulator: Emulator, status: str, error: str
) -> None:
    emulator.add_user(username="bob", password="Passw0rd!", status=status)
    answer = api.post("/v1/signin", {"username": "bob", "password": "Passw0rd!"})
    assert answer.status == 400 and answer.body["error"] == error


def test_user_without_password(api: Api, emulator: Emulator) -> None:
    emulator.add_user(email="nopw@example.com")
    answer = api.post("/v1/signin", {"username": "nopw@example.com", "password": "x"})
    assert answer.body["error"] == "password_not_set"


# ---------------------------------------------------------------- verification (§3.4, §3.5)
def send_code(api: Api, **body: Any) -> Any:
    return api.post("/v1/verification", body)


def verify(api: Api, verification_id: str, code: str = "123456") -> Any:
    return api.post(
        "/v1/verification/verify", {"verification_id": verification_id, "verification_code": code}
    )


def verification_token(api: Api, **contact: Any) -> str:
    sent = send_code(api, **contact)
    assert sent.status == 200, sent.body
    done = verify(api, sent.body["verification_id"])
    assert done.status == 200, done.body
    assert done.body["expires_in"] == 600
    return str(done.body["verification_token"])


def test_send_code_shape_and_is_user(api: Api, alice: Any) -> None:
    known = send_code(api, email="alice@example.com").body
    assert set(known) == {"verification_id", "expires_in", "is_user"}
    assert known["expires_in"] == 600 and known["is_user"] is True
    assert send_code(api, phone_number="+86 13900000000").body["is_user"] is False


@pytest.mark.parametrize(
    ("target", "contact", "error"),
    [
        ("USER", "new@example.com", "not_found"),
        ("NOT_USER", "alice@example.com", "already_exists"),
        ("CUR_USER", "alice@example.com", "unauthenticated"),
        ("SOMETHING", "alice@example.com", "invalid_argument"),
    ],
)
def test_verification_targets(api: Api, alice: Any, target: str, contact: str, error: str) -> None:
    assert send_code(api, email=contact, target=target).body["error"] == error


def test_cur_user_target_with_bearer(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    answer = api.post(
        "/v1/verification", {"email": "alice@example.com", "target": "CUR_USER"}, token=token
    )
    assert answer.status == 200 and answer.body["is_user"] is True


def test_send_code_needs_exactly_one_contact(api: Api) -> None:
    assert send_code(api).body["error"] == "invalid_argument"
    both = send_code(api, email="a@b.c", phone_number="+86 13800000000")
    assert both.body["error"] == "invalid_argument"


def test_wrong_code_then_right_code(api: Api) -> None:
    vid = send_code(api, email="new@example.com").body["verification_id"]
    assert_error(verify(api, vid, "000000"), "invalid_verification_code", 3, 400)
    assert verify(api, vid).status == 200
    assert verify(api, vid).body["error"] == "invalid_argument"  # single use


def test_configured_code_and_expiry(emulator_factory: Any) -> None:
    emu = emulator_factory(verification_code="654321")
    api = Api(emu)
    vid = send_code(api, email="x@example.com").body["verification_id"]
    assert verify(api, vid, "654321").status == 200
    vid = send_code(api, email="x@example.com").body["verification_id"]
    emu.advance(601)
    assert verify(api, vid, "654321").body["error"] == "invalid_argument"


def test_otp_signin(api: Api, alice: Any) -> None:
    token = verification_token(api, phone_number="13800000000")
    body = api.post("/v1/signin", {"verification_token": token}).body
    assert body["sub"] == alice.sub
    assert claims_of(body["access_token"])["provider_type"] == "phone"
    assert api.post("/v1/signin", {"verification_token": token}).body["error"] == "invalid_argument"


def test_otp_signin_unknown_user(api: Api) -> None:
    token = verification_token(api, email="new@example.com")
    assert api.post("/v1/signin", {"verification_token": token}).body["error"] == "not_found"


# ---------------------------------------------------------------- sign-up (§3.3)
def test_signup_with_phone_then_password_signin(api: Api) -> None:
    token = verification_token(api, phone_number="+86 13900000000")
    body = api.post(
        "/v1/signup",
        {
            "phone_number": "+86 13900000000",
            "verification_code": "123456",
            "verification_token": token,
            "name": "手机用户",
            "username": "phoney",
            "password": "Passw0rd!",
        },
    ).body
    assert_success(body)
    assert body["scope"] == "user sso" and re.fullmatch(r"\d{19}", body["sub"])
    me = api.get("/v1/user/me", token=body["access_token"]).body
    assert me["name"] == "手机用户" and me["phone_number"] == "+86 13900000000"
    assert api.signin("phoney")["sub"] == body["sub"]


def test_signup_rules(api: Api, alice: Any) -> None:
    only_password = api.post("/v1/signup", {"username": "u", "password": "Passw0rd!"})
    assert only_password.body["error"] == "invalid_argument"
    token = verification_token(api, email="new@example.com")
    mismatch = api.post("/v1/signup", {"email": "other@example.com", "verification_token": token})
    assert mismatch.body["error"] == "invalid_argument"
    taken = api.post(
        "/v1/signup", {"email": "new@example.com", "verification_token": token, "username": "alice"}
    )
    assert taken.body["error"] == "already_exists"
    token = verification_token(api, email="alice@example.com")
    exists = api.post("/v1/signup", {"email": "alice@example.com", "verification_token": token})
    assert exists.body["error"] == "already_exists"


def test_signup_upgrades_anonymous_user_keeping_sub(api: Api) -> None:
    anon = api.post("/v1/signin/anonymously").body
    token = verification_token(api, email="upgraded@example.com")
    body = api.post(
        "/v1/signup",
        {
            "email": "upgraded@example.com",
            "verification_token": token,
            "anonymous_token": anon["access_token"],
        },
    ).body
    assert body["sub"] == anon["sub"] and body["scope"] == "user sso"
    assert api.get("/v1/token/introspect", token=anon["access_token"]).body == {}
    again = api.post("/v1/signin/anonymously").body  # the device gets a new anonymous user
    assert again["sub"] != anon["sub"]


def test_signup_with_dead_anonymous_token(api: Api) -> None:
    token = verification_token(api, email="u@example.com")
    answer = api.post(
        "/v1/signup",
        {"email": "u@example.com", "verification_token": token, "anonymous_token": "garbage"},
    )
    assert_error(answer, "unauthenticated", 16, 401)


# ---------------------------------------------------------------- captcha (§3.14)
def test_captcha_required_loop(api: Api, emulator: Emulator) -> None:
    emulator.require_captcha("/v1/verification")
    assert_error(send_code(api, email="c@example.com"), "captcha_required", 9, 400)
    data = api.post("/v1/captcha/data", {"state": "POST:/v1/verification", "redirect_uri": ""}).body
    assert data["type"] == "image" and data["data"].startswith("data:image/")
    assert data["expires_in"] == 300
    wrong = api.post("/v1/captcha/data/verify", {"token": data["token"], "key": "nope"})
    assert wrong.body["error"] == "captcha_invalid"
    solved = api.post(
        "/v1/captcha/data/verify", {"token": data["token"], "key": emulator.settings.captcha_answer}
    ).body
    assert solved["captcha_token"].startswith("v1.") and solved["expires_in"] == 600
    ok = api.post(
        "/v1/verification",
        {"email": "c@example.com"},
        params={"captcha_token": solved["captcha_token"]},
    )
    assert ok.status == 200
    reused = api.post(
        "/v1/verification",
        {"email": "c@example.com"},
        headers={"x-captcha-token": solved["captcha_token"]},
    )
    assert reused.body["error"] == "captcha_invalid"


def test_captcha_token_in_header(api: Api, emulator: Emulator) -> None:
    emulator.require_captcha()
    data = api.post("/v1/captcha/data", {"state": "x", "redirect_uri": ""}).body
    solved = api.post("/v1/captcha/data/verify", {"token": data["token"], "key": "1234"}).body
    answer = api.post(
        "/v1/verification",
        {"email": "c@example.com"},
        headers={"x-captcha-token": solved["captcha_token"]},
    )
    assert answer.status == 200
    emulator.require_captcha(on=False)
    assert send_code(api, email="c@example.com").status == 200
