"""The API flows without any network: feed each flow a response, check the request it built.

Like h11's tests: the protocol code is pure, so the exact wire shape is checked here once.
"""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

import pytest

from cloudbase_auth_mw.core import api
from cloudbase_auth_mw.core.api import ApiContext
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.errors import (
    ApiError,
    InvalidGrant,
    RateLimited,
    ServiceError,
    ServiceUnreachable,
    Unauthenticated,
)
from cloudbase_auth_mw.core.http import Flow, HttpRequest, HttpResponse, TransportError
from cloudbase_auth_mw.core.models import TokenResponse

T = TypeVar("T")
CTX = ApiContext(
    config=CloudBaseAuthConfig(env_id="env-1", base_url="http://auth.test", client_secret="s3"),
    device_id="d" * 32,
    clock=lambda: 1000.0,
)
TOKENS = {
    "token_type": "Bearer",
    "access_token": "at.1",
    "refresh_token": "rt.1",
    "expires_in": 7200,
    "scope": "user",
    "sub": "42",
    "groups": ["user"],
}


def run(flow: Flow[T], body: Any = None, status: int = 200) -> tuple[HttpRequest, T]:
    """Start ``flow``, answer its one request with ``body``; return the request and result."""
    request = next(flow)
    raw = body if isinstance(body, bytes) else json.dumps({} if body is None else body).encode()
    with pytest.raises(StopIteration) as stop:
        flow.send(HttpResponse(status=status, body=raw))
    return request, stop.value.value


def first_request(flow: Flow[Any]) -> HttpRequest:
    return next(flow)


def test_password_sign_in_request_and_tokens() -> None:
    request, tokens = run(api.sign_in_with_password(CTX, "alice", "pw"), TOKENS)
    assert (request.method, request.url) == ("POST", "http://auth.test/auth/v1/signin")
    assert request.json_body == {"username": "alice", "password": "pw"}
    assert request.params == {"client_id": "env-1"}
    assert "authorization" not in request.headers
    assert request.headers["x-device-id"] == "d" * 32
    assert len(request.headers["x-request-id"]) == 32
    assert not request.idempotent
    assert tokens.access_token == "at.1" and tokens.refresh_token == "rt.1"
    assert tokens.expires_at == 1000.0 + 7200


def test_every_request_gets_a_fresh_request_id() -> None:
    ids = {first_request(api.sign_in_anonymously(CTX)).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_refresh_body_carries_client_id_and_secret() -> None:
    request, _ = run(api.refresh(CTX, "rt.1"), TOKENS)
    assert request.url.endswith("/auth/v1/token")
    assert request.params == {"client_id": "env-1"}
    assert request.json_body == {
        "client_id": "env-1",
        "client_secret": "s3",
        "grant_type": "refresh_token",
        "refresh_token": "rt.1",
    }
    assert not request.idempotent  # refresh tokens rotate: never retried


def test_password_grant_body() -> None:
    request, _ = run(api.password_grant(CTX, "alice", "pw", scope="user"), TOKENS)
    assert request.json_body == {
        "client_id": "env-1",
        "client_secret": "s3",
        "grant_type": "password",
        "username": "alice",
        "password": "pw",
        "scope": "user",
    }


def test_client_credentials_uses_basic_and_has_no_refresh_token() -> None:
    answer = {"token_type": "Bearer", "access_token": "admin", "expires_in": 7200}
    request, tokens = run(api.client_credentials(CTX, secret_id="AKID", secret_key="KEY"), answer)
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"AKID:KEY").decode()
    assert request.json_body == {"grant_type": "client_credentials"}
    assert tokens.refresh_token is None


def test_client_credentials_defaults_to_configured_client() -> None:
    request = first_request(api.client_credentials(CTX))
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"env-1:s3").decode()


def test_bearer_calls_carry_no_client_id() -> None:
    request, profile = run(api.get_user(CTX, "at.1"), {"sub": "42", "groups": [{"id": "user"}]})
    assert request.headers["authorization"] == "Bearer at.1"
    assert "client_id" not in request.params
    assert request.idempotent
    assert profile.sub == "42" and profile.groups == ("user",)


def test_introspect_empty_body_is_inactive() -> None:
    request, result = run(api.introspect(CTX, "at.1"), {})
    assert (request.method, request.url) == ("GET", "http://auth.test/auth/v1/token/introspect")
    assert request.headers["authorization"] == "Bearer at.1"
    assert not result.active
    _, active = run(api.introspect(CTX, "at.1"), {"sub": "42", "scope": "anonymous"})
    assert active.active and active.is_anonymous


def test_revoke_sends_token_in_body_and_as_bearer() -> None:
    request, result = run(api.revoke(CTX, "at.1"), {})
    assert request.json_body == {"token": "at.1"}
    assert request.headers["authorization"] == "Bearer at.1"
    assert result is None


def test_verification_formats_phone_and_defaults_target() -> None:
    answer = {"verification_id": "vid", "expires_in": 600, "is_user": False}
    request, sent = run(api.send_verification(CTX, phone_number="13800000000"), answer)
    assert request.json_body == {"phone_number": "+86 13800000000", "target": "ANY"}
    assert (sent.verification_id, sent.expires_in, sent.is_user) == ("vid", 600, False)


def test_verification_by_email_with_usage_and_captcha() -> None:
    request = first_request(
        api.send_verification(CTX, email="a@b.c", usage="SIGN_IN", captcha_token="v1.cap")
    )
    assert request.json_body == {"email": "a@b.c", "target": "ANY", "usage": "SIGN_IN"}
    assert request.params["captcha_token"] == "v1.cap"
    assert request.headers["x-captcha-token"] == "v1.cap"


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"phone_number": "1", "email": "a@b.c"}, {"email": "a@b.c", "target": "CUR_USER"}],
)
def test_verification_argument_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"give exactly one|CUR_USER"):
        api.send_verification(CTX, **kwargs)


def test_current_user_verification_sends_bearer() -> None:
    request = first_request(
        api.send_verification(CTX, email="a@b.c", target="CUR_USER", access_token="at.1")
    )
    assert request.headers["authorization"] == "Bearer at.1"


def test_verify_and_sign_up_bodies() -> None:
    request, token = run(
        api.verify(CTX, "vid", "123456"), {"verification_token": "vt", "expires_in": 600}
    )
    assert request.json_body == {"verification_id": "vid", "verification_code": "123456"}
    assert token.verification_token == "vt"
    request, _ = run(
        api.sign_up(CTX, phone_number="+86 13800000000", verification_token="vt", name="n"), TOKENS
    )
    assert request.url.endswith("/v1/signup")
    assert request.json_body == {
        "phone_number": "+86 13800000000",
        "verification_token": "vt",
        "name": "n",
    }


def test_sign_in_with_verification_and_provider() -> None:
    request, _ = run(api.sign_in_with_verification(CTX, "vt", username="bob"), TOKENS)
    assert request.json_body == {"verification_token": "vt", "username": "bob"}
    request, _ = run(api.sign_in_with_provider(CTX, "pt", provider_id="wx"), TOKENS)
    assert request.url.endswith("/v1/signin/with/provider")
    assert request.json_body == {"provider_token": "pt", "provider_id": "wx"}


def test_anonymous_sign_in_body() -> None:
    assert first_request(api.sign_in_anonymously(CTX)).json_body == {}
    assert first_request(api.sign_in_anonymously(CTX, provider_token="pt")).json_body == {
        "provider_token": "pt"
    }


def test_sudo_password_change_and_delete() -> None:
    request, sudo = run(
        api.sudo(CTX, "at.1", password="pw"), {"sudo_token": "st", "expires_in": 900}
    )
    assert request.json_body == {"password": "pw"} and sudo.sudo_token == "st"
    with pytest.raises(ValueError, match="exactly one"):
        api.sudo(CTX, "at.1")
    request, _ = run(api.change_password(CTX, "at.1", "st", "N3w!pass"), {})
    assert (request.method, request.url) == ("PATCH", "http://auth.test/auth/v1/user/password")
    assert request.json_body == {"new_password": "N3w!pass", "sudo_token": "st"}
    assert request.params == {"sudo_token": "st"}
    request, _ = run(api.delete_me(CTX, "at.1", "st"), b"")
    assert (request.method, request.url) == ("DELETE", "http://auth.test/auth/v1/user/me")
    assert request.params == {"sudo_token": "st"} and request.json_body is None


def test_provider_calls() -> None:
    answer = {"total": 2, "data": [{"id": "wx", "name": "WeChat", "bind": True}, {"id": "qq"}]}
    request, providers = run(api.list_providers(CTX, "at.1"), answer)
    assert request.url.endswith("/v1/user/provider")
    assert [p.id for p in providers.bound] == ["wx"] and providers.total == 2
    request, _ = run(api.bind_provider(CTX, "at.1", "pt"), {})
    assert request.url.endswith("/v1/user/provider/bind")
    request, _ = run(api.unbind_provider(CTX, "at.1", "a/b"), {})
    assert request.method == "DELETE" and request.url.endswith("/v1/user/provider/a%2Fb")


def test_captcha_calls() -> None:
    answer = {"data": "data:image/gif;base64,AA", "type": "image", "token": "ct", "expires_in": 300}
    request, data = run(api.get_captcha_data(CTX, "POST:/v1/verification"), answer)
    assert request.json_body == {"state": "POST:/v1/verification", "redirect_uri": ""}
    assert data.token == "ct"
    request, token = run(
        api.verify_captcha(CTX, "ct", "abcd"), {"captcha_token": "v1.x", "expires_in": 600}
    )
    assert request.json_body == {"token": "ct", "key": "abcd"}
    assert token.captcha_token == "v1.x"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (
            400,
            {"error": "invalid_grant", "error_code": 3, "error_description": "bad"},
            InvalidGrant,
        ),
        (200, {"error": "unauthenticated"}, Unauthenticated),  # the status is not the signal
        (429, {"code": "EXCEED_RATELIMIT", "message": "slow", "requestId": "r1"}, RateLimited),
        (502, b"<html>bad gateway</html>", ServiceError),
        (503, {}, ServiceError),
        (200, {"token_type": "Bearer"}, ServiceError),  # a token answer without a token
    ],
)
def test_error_answers(status: int, body: Any, error: type[ApiError]) -> None:
    with pytest.raises(error):
        run(api.refresh(CTX, "rt.1"), body, status)


def test_gateway_error_keeps_request_id() -> None:
    with pytest.raises(RateLimited) as caught:
        run(api.get_user(CTX, "at.1"), {"code": "EXCEED_RATELIMIT", "requestId": "r1"}, 429)
    assert caught.value.request_id == "r1"


def test_transport_error_becomes_service_unreachable() -> None:
    flow = api.refresh(CTX, "rt.secret")
    next(flow)
    with pytest.raises(ServiceUnreachable) as caught:
        flow.throw(TransportError("POST http://auth.test/auth/v1/token failed: ConnectError"))
    assert isinstance(caught.value, ServiceError)
    assert caught.value.error == "unreachable"
    assert "rt.secret" not in str(caught.value)


def test_format_phone() -> None:
    assert api.format_phone(" 13800000000 ") == "+86 13800000000"
    assert api.format_phone("+1 5551234") == "+1 5551234"


def test_ensure_fresh_keeps_fresh_tokens_without_a_call() -> None:
    tokens = TokenResponse.from_json(TOKENS, received_at=1000.0 - 7000)  # 170 s left at t=1000
    flow = api.ensure_fresh(CTX, tokens)
    with pytest.raises(StopIteration) as stop:
        next(flow)
    assert stop.value.value is tokens


def test_ensure_fresh_refreshes_within_the_margin() -> None:
    tokens = TokenResponse.from_json(TOKENS, received_at=1000.0 - 7180)  # 20 s left < 30 s
    rotated = {**TOKENS, "refresh_token": "rt.2"}
    request, fresh = run(api.ensure_fresh(CTX, tokens), rotated)
    assert request.json_body["refresh_token"] == "rt.1"
    assert fresh.refresh_token == "rt.2" and fresh.received_at == 1000.0


def test_ensure_fresh_signs_anonymous_users_in_again() -> None:
    anonymous = TokenResponse.from_json({**TOKENS, "scope": "anonymous"}, received_at=-9000.0)
    flow = api.ensure_fresh(CTX, anonymous)
    assert next(flow).url.endswith("/v1/token")
    refused = json.dumps({"error": "invalid_grant"}).encode()
    again = flow.send(HttpResponse(status=400, body=refused))
    assert again.url.endswith("/v1/signin/anonymously")
    assert again.headers["x-device-id"] == CTX.device_id
    answer = json.dumps({**TOKENS, "scope": "anonymous", "access_token": "at.9"}).encode()
    with pytest.raises(StopIteration) as stop:
        flow.send(HttpResponse(status=200, body=answer))
    assert stop.value.value.access_token == "at.9"


def test_ensure_fresh_signed_out_user_gets_invalid_grant() -> None:
    tokens = TokenResponse.from_json(TOKENS, received_at=-9000.0)
    with pytest.raises(InvalidGrant):
        run(api.ensure_fresh(CTX, tokens), {"error": "invalid_grant"}, 400)
    no_refresh = TokenResponse.from_json({"access_token": "a", "expires_in": 1})
    with pytest.raises(InvalidGrant):
        next(api.ensure_fresh(CTX, no_refresh))
