"""Every client method, sync and async, over real HTTP against the emulator on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest
from client_support import AnyClient, call

from cloudbase_auth_mw.core.errors import (
    AlreadyExists,
    CaptchaInvalid,
    CaptchaRequired,
    InvalidArgument,
    InvalidGrant,
    InvalidPassword,
    InvalidVerificationCode,
    NotFound,
    PermissionDenied,
    ServiceError,
    ServiceUnreachable,
    Unauthenticated,
    Unimplemented,
)
from cloudbase_auth_mw.core.identity import UserProfile
from cloudbase_auth_mw.core.models import TokenResponse
from cloudbase_auth_mw.emulator import Emulator

Client = Callable[..., AnyClient]
PASSWORD = "Passw0rd!x"
NEW_PASSWORD = "N3w-Passw0rd!"
CODE = "123456"


@pytest.fixture
def client(emulator: Emulator, make_client: Callable[..., AnyClient]) -> Client:
    """A client factory bound to the emulator."""

    def make(**kwargs: Any) -> AnyClient:
        return make_client(env_id=emulator.env_id, base_url=emulator.base_url, **kwargs)

    return make


async def sign_in(client: AnyClient, login: str, password: str = PASSWORD) -> TokenResponse:
    tokens = await call(client, "sign_in_with_password", login, password)
    assert isinstance(tokens, TokenResponse)
    return tokens


async def sign_up_by_phone(client: AnyClient, phone: str, **extra: Any) -> TokenResponse:
    sent = await call(client, "send_verification", phone_number=phone)
    verified = await call(client, "verify", sent.verification_id, CODE)
    return await call(
        client,
        "sign_up",
        phone_number=phone,
        verification_token=verified.verification_token,
        verification_code=CODE,
        **extra,
    )


async def send_to_current_user(
    client: AnyClient, login: str, **contact: str
) -> tuple[TokenResponse, Any]:
    """Sign in as ``login`` and send a code to that user's own ``contact`` (``CUR_USER``)."""
    tokens = await sign_in(client, login)
    sent = await call(
        client,
        "send_verification",
        target="CUR_USER",
        access_token=tokens.access_token,
        **contact,
    )
    return tokens, sent


# ---------------------------------------------------------------- sign-in
async def test_password_sign_in(emulator: Emulator, client: Client) -> None:
    alice = emulator.add_user(username="alice", password=PASSWORD, email="alice@example.com")
    api = client()
    for login in ("alice", "alice@example.com"):
        tokens = await sign_in(api, login)
        assert tokens.sub == alice.sub and not tokens.is_anonymous
        assert tokens.token_type == "Bearer" and tokens.refresh_token and tokens.expires_in == 7200
        assert "user" in tokens.groups
        assert tokens.access_token not in repr(tokens)


async def test_phone_sign_in_formats_number(emulator: Emulator, client: Client) -> None:
    emulator.add_user(phone_number="+86 13800000001", password=PASSWORD)
    tokens = await sign_in(client(), "+86 13800000001")
    assert tokens.sub


async def test_wrong_password_is_invalid_password(emulator: Emulator, client: Client) -> None:
    emulator.add_user(username="alice", password=PASSWORD)
    with pytest.raises(InvalidPassword) as caught:
        await sign_in(client(), "alice", "wrong-" + PASSWORD)
    assert re.fullmatch(r"[0-9a-f]{32}", caught.value.request_id or "")
    assert PASSWORD not in str(caught.value)


async def test_anonymous_sign_in_one_user_per_device(emulator: Emulator, client: Client) -> None:
    api = client()
    first = await call(api, "sign_in_anonymously")
    again = await call(api, "sign_in_anonymously")
    other = await call(client(), "sign_in_anonymously")
    assert first.is_anonymous and first.sub == again.sub
    assert other.sub != first.sub
    pinned = await call(client(device_id=api.device_id), "sign_in_anonymously")
    assert pinned.sub == first.sub


async def test_anonymous_disabled_is_unimplemented(emulator: Emulator, client: Client) -> None:
    emulator.settings.anonymous_enabled = False
    with pytest.raises(Unimplemented) as caught:
        await call(client(), "sign_in_anonymously")
    assert caught.value.status == 403


# ---------------------------------------------------------------- verification flows
async def test_sms_sign_up_then_otp_sign_in(client: Client) -> None:
    api = client()
    created = await sign_up_by_phone(api, "13900000002", name="手机用户", username="phone_user")
    assert not created.is_anonymous
    sent = await call(api, "send_verification", phone_number="+86 13900000002", target="USER")
    assert sent.is_user and sent.expires_in == 600
    verified = await call(api, "verify", sent.verification_id, CODE)
    token = verified.verification_token
    tokens = await call(api, "sign_in_with_verification", token, username="phone_user")
    assert tokens.sub == created.sub
    profile = await call(api, "get_user", tokens.access_token)
    assert (profile.phone_number, profile.name) == ("+86 13900000002", "手机用户")


async def test_email_sign_up_and_duplicate(client: Client) -> None:
    api = client()
    sent = await call(api, "send_verification", email="new@example.com", usage="REGISTER")
    assert not sent.is_user
    verified = await call(api, "verify", sent.verification_id, CODE)
    await call(
        api,
        "sign_up",
        email="new@example.com",
        verification_token=verified.verification_token,
        password=PASSWORD,
    )
    assert (await sign_in(api, "new@example.com")).sub
    with pytest.raises(AlreadyExists):
        await call(api, "send_verification", email="new@example.com", target="NOT_USER")


async def test_wrong_code_and_missing_verification(client: Client) -> None:
    api = client()
    sent = await call(api, "send_verification", phone_number="13900000003")
    with pytest.raises(InvalidVerificationCode):
        await call(api, "verify", sent.verification_id, "000000")
    with pytest.raises(InvalidArgument):
        await call(api, "sign_up", phone_number="13900000003", username="x", password=PASSWORD)


async def test_anonymous_upgrade_keeps_sub(client: Client) -> None:
    api = client()
    anonymous = await call(api, "sign_in_anonymously")
    upgraded = await sign_up_by_phone(
        api,
        "13900000004",
        anonymous_token=anonymous.access_token,
    )
    assert upgraded.sub == anonymous.sub and not upgraded.is_anonymous


async def test_current_user_verification_needs_token(emulator: Emulator, client: Client) -> None:
    emulator.add_user(username="alice", password=PASSWORD, email="alice@example.com")
    _, sent = await send_to_current_user(client(), "alice", email="alice@example.com")
    assert sent.is_user


# ---------------------------------------------------------------- tokens
async def test_refresh_rotates_and_old_token_fails(emulator: Emulator, client: Client) -> None:
    emulator.add_user(username="alice", password=PASSWORD)
    api = client()
    tokens = await sign_in(api, "alice")
    fresh = await call(api, "refresh", tokens.refresh_token)
    assert fresh.refresh_token != tokens.refresh_token
    assert fresh.sub == tokens.sub
    emulator.reset_counters()
    with pytest.raises(InvalidGrant):
        await call(api, "refresh", tokens.refresh_token)
    assert (await call(api, "refresh", fresh.refresh_token)).sub == tokens.sub


async def test_password_grant(emulator: Emulator, client: Client) -> None:
    alice = emulator.add_user(username="alice", password=PASSWORD)
    tokens = await call(client(), "password_grant", "alice", PASSWORD)
    assert tokens.sub == alice.sub and tokens.refresh_token
    with pytest.raises(InvalidPassword):
        await call(client(), "password_grant", "alice", "nope")


async def test_client_credentials_has_no_refresh_token(client: Client) -> None:
    tokens = await call(client(), "client_credentials", secret_id="AKID", secret_key="KEY")
    assert tokens.refresh_token is None and tokens.access_token
    assert (await call(client(), "introspect", tokens.access_token)).active


async def test_introspect_revoke_and_user_me(emulator: Emulator, client: Client) -> None:
    alice = emulator.add_user(username="alice", password=PASSWORD)
    api = client()
    tokens = await sign_in(api, "alice")
    active = await call(api, "introspect", tokens.access_token)
    assert active.active and active.sub == alice.sub
    profile = await call(api, "get_user", tokens.access_token)
    assert isinstance(profile, UserProfile) and profile.username == "alice"
    assert await call(api, "revoke", tokens.access_token) is None
    assert not (await call(api, "introspect", tokens.access_token)).active
    with pytest.raises(Unauthenticated):
        await call(api, "get_user", tokens.access_token)
    with pytest.raises(InvalidGrant):  # revoke ends the whole session
        await call(api, "refresh", tokens.refresh_token)


async def test_introspect_garbage_is_inactive(client: Client) -> None:
    assert not (await call(client(), "introspect", "not-a-token")).active


# ---------------------------------------------------------------- sudo, password, delete
async def test_sudo_change_password_and_delete(emulator: Emulator, client: Client) -> None:
    emulator.add_user(username="alice", password=PASSWORD)
    api = client()
    tokens = await sign_in(api, "alice")
    with pytest.raises(InvalidPassword):
        await call(api, "sudo", tokens.access_token, password="nope")
    sudo = await call(api, "sudo", tokens.access_token, password=PASSWORD)
    assert sudo.expires_in == 900
    await call(api, "change_password", tokens.access_token, sudo.sudo_token, NEW_PASSWORD)
    with pytest.raises(InvalidPassword):
        await sign_in(api, "alice")
    tokens = await sign_in(api, "alice", NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        await call(api, "delete_me", tokens.access_token, "bogus-sudo-token")
    sudo = await call(api, "sudo", tokens.access_token, password=NEW_PASSWORD)
    await call(api, "delete_me", tokens.access_token, sudo.sudo_token)
    with pytest.raises(Unauthenticated):
        await call(api, "get_user", tokens.access_token)
    assert emulator.users == []


async def test_sudo_with_verification_token(emulator: Emulator, client: Client) -> None:
    emulator.add_user(phone_number="13900000005", password=PASSWORD)
    api = client()
    tokens, sent = await send_to_current_user(api, "13900000005", phone_number="13900000005")
    verified = await call(api, "verify", sent.verification_id, CODE)
    sudo = await call(
        api,
        "sudo",
        tokens.access_token,
        verification_token=verified.verification_token,
    )
    assert sudo.sudo_token


# ---------------------------------------------------------------- providers
async def test_providers_bind_list_sign_in_unbind(emulator: Emulator, client: Client) -> None:
    emulator.add_user(username="alice", password=PASSWORD, email="alice@example.com")
    api = client()
    tokens = await sign_in(api, "alice")
    granted = await call(api, "grant_provider_token", "wx_open", provider_code="code-1")
    provider_token = granted.provider_token
    assert granted.provider_profile["provider_id"] == "wx_open"
    with pytest.raises(NotFound):
        await call(api, "sign_in_with_provider", provider_token)
    await call(api, "bind_provider", tokens.access_token, provider_token)
    listed = await call(api, "list_providers", tokens.access_token)
    assert {p.id for p in listed.bound} == {"email", "wx_open"}
    again = await call(api, "grant_provider_token", "wx_open", provider_code="code-1")
    signed_in = await call(api, "sign_in_with_provider", again.provider_token)
    assert signed_in.sub == tokens.sub
    await call(api, "unbind_provider", tokens.access_token, "wx_open")
    with pytest.raises(NotFound):
        await call(api, "unbind_provider", tokens.access_token, "wx_open")


async def test_sign_up_with_provider_and_anonymous_attach(client: Client) -> None:
    api = client()
    granted = await call(api, "grant_provider_token", "github", provider_access_token="gh-1")
    created = await call(api, "sign_up", provider_token=granted.provider_token)
    assert created.sub


# ---------------------------------------------------------------- captcha
async def test_captcha_loop(emulator: Emulator, client: Client) -> None:
    emulator.require_captcha("/v1/verification")
    api = client()
    with pytest.raises(CaptchaRequired):
        await call(api, "send_verification", email="cap@example.com")
    data = await call(api, "get_captcha_data", "POST:/v1/verification")
    assert data.data.startswith("data:image/")
    with pytest.raises(CaptchaInvalid):
        await call(api, "verify_captcha", data.token, "wrong")
    solved = await call(api, "verify_captcha", data.token, emulator.settings.captcha_answer)
    sent = await call(
        api,
        "send_verification",
        email="cap@example.com",
        captcha_token=solved.captcha_token,
    )
    assert sent.verification_id


# ---------------------------------------------------------------- provider faults
async def test_provider_down_is_unreachable(emulator: Emulator, client: Client) -> None:
    emulator.faults.down(True)
    with pytest.raises(ServiceUnreachable):
        await call(client(), "sign_in_anonymously")


async def test_provider_503_non_json_is_service_error(emulator: Emulator, client: Client) -> None:
    emulator.faults.down(True, mode="503")
    with pytest.raises(ServiceError) as caught:
        await call(client(), "introspect", "token")
    assert caught.value.status == 503 and not isinstance(caught.value, ServiceUnreachable)


async def test_malformed_json_is_service_error(emulator: Emulator, client: Client) -> None:
    emulator.faults.malformed_json("/auth/v1/signin/anonymously")
    with pytest.raises(ServiceError):
        await call(client(), "sign_in_anonymously")


async def test_refresh_is_never_retried_but_get_is(emulator: Emulator, client: Client) -> None:
    emulator.faults.latency(0.3)
    api = client(read_timeout=0.05)
    with pytest.raises(ServiceUnreachable):
        await call(api, "refresh", "r.whatever")
    with pytest.raises(ServiceUnreachable):
        await call(api, "get_user", "token")
    assert emulator.counters["/auth/v1/token"] == 1
    assert emulator.counters["/auth/v1/user/me"] == 2


async def test_ensure_fresh_refreshes_expiring_tokens(emulator: Emulator, client: Client) -> None:
    emulator.add_user(username="alice", password=PASSWORD)
    api = client()
    tokens = await sign_in(api, "alice")
    assert await call(api, "ensure_fresh", tokens) is tokens
    expiring = dataclasses.replace(tokens, received_at=tokens.received_at - 7180)
    fresh = await call(api, "ensure_fresh", expiring)
    assert fresh.sub == tokens.sub and fresh.refresh_token != tokens.refresh_token
    with pytest.raises(InvalidGrant):  # the old refresh token rotated away
        await call(api, "ensure_fresh", expiring)


async def test_ensure_fresh_anonymous_comes_back_as_same_user(client: Client) -> None:
    api = client()
    tokens = await call(api, "sign_in_anonymously")
    await call(api, "revoke", tokens.access_token)  # refresh token dies with the session
    expired = dataclasses.replace(tokens, received_at=0.0)
    again = await call(api, "ensure_fresh", expired)
    assert again.sub == tokens.sub and again.access_token != tokens.access_token
