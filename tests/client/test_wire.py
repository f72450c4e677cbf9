"""What the clients put on the wire and how they fail, over real HTTP on 127.0.0.1.

A scripted loopback server records the requests (headers the emulator does not expose) and
answers 5xx, non-JSON or slow replies; a closed port gives a refused connection. Every test
runs with the sync (requests) and the async (httpx) client.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from client_support import AnyClient, Scripted, call

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.errors import (
    ApiError,
    InvalidPassword,
    RateLimited,
    ServiceError,
    ServiceUnreachable,
)

Make = Callable[..., AnyClient]
TOKENS = {"token_type": "Bearer", "access_token": "at.1", "refresh_token": "rt.1", "sub": "7"}
HEX32 = re.compile(r"^[0-9a-f]{32}$")


async def test_device_id_persisted_and_request_id_fresh(
    scripted: Scripted, make_client: Make
) -> None:
    scripted.answer(200, TOKENS)
    client = make_client(base_url=scripted.url)
    await call(client, "sign_in_anonymously")
    await call(client, "sign_in_with_password", "alice", "pw")
    first, second = scripted.seen
    assert HEX32.match(client.device_id)
    assert first.headers["x-device-id"] == second.headers["x-device-id"] == client.device_id
    assert HEX32.match(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_each_client_has_its_own_device_unless_given(
    scripted: Scripted, make_client: Make
) -> None:
    assert (
        make_client(base_url=scripted.url).device_id != make_client(base_url=scripted.url).device_id
    )
    assert make_client(base_url=scripted.url, device_id="dev-1").device_id == "dev-1"
    config = CloudBaseAuthConfig(env_id="e", base_url=scripted.url, device_id="from-config")
    assert make_client(config=config).device_id == "from-config"


async def test_client_id_only_without_credentials(scripted: Scripted, make_client: Make) -> None:
    scripted.answer(200, TOKENS)
    client = make_client(base_url=scripted.url, client_id="app-1")
    await call(client, "sign_in_with_password", "alice", "pw")
    await call(client, "get_user", "at.1")
    signin, me = scripted.seen
    assert signin.query == {"client_id": "app-1"} and "authorization" not in signin.headers
    assert signin.path == "/auth/v1/signin"
    assert signin.json() == {"username": "alice", "password": "pw"}
    assert me.query == {} and me.headers["authorization"] == "Bearer at.1"


async def test_revoke_sends_token_in_body_and_bearer(scripted: Scripted, make_client: Make) -> None:
    client = make_client(base_url=scripted.url)
    assert await call(client, "revoke", "at.1") is None
    (seen,) = scripted.seen
    assert seen.json() == {"token": "at.1"} and seen.headers["authorization"] == "Bearer at.1"


async def test_refresh_body(scripted: Scripted, make_client: Make) -> None:
    scripted.answer(200, TOKENS)
    tokens = await call(make_client(base_url=scripted.url), "refresh", "rt.0")
    assert tokens.refresh_token == "rt.1"
    (seen,) = scripted.seen
    assert seen.json() == {
        "client_id": "test-env",
        "client_secret": "",
        "grant_type": "refresh_token",
        "refresh_token": "rt.0",
    }
    assert seen.query == {"client_id": "test-env"}


async def test_api_path_is_configurable(scripted: Scripted, make_client: Make) -> None:
    await call(make_client(base_url=scripted.url, api_path="/custom/auth"), "revoke", "at")
    assert scripted.seen[0].path == "/custom/auth/v1/revoke"


async def test_error_body_wins_over_200(scripted: Scripted, make_client: Make) -> None:
    scripted.answer(200, {"error": "invalid_password", "error_code": 3, "error_description": "no"})
    with pytest.raises(InvalidPassword) as caught:
        await call(make_client(base_url=scripted.url), "sign_in_with_password", "alice", "bad")
    assert caught.value.error_code == 3 and caught.value.status == 200


async def test_gateway_error_body(scripted: Scripted, make_client: Make) -> None:
    scripted.answer(429, {"code": "EXCEED_RATELIMIT", "message": "slow down", "requestId": "rq-9"})
    with pytest.raises(RateLimited) as caught:
        await call(make_client(base_url=scripted.url), "get_user", "at.1")
    assert caught.value.request_id == "rq-9"


@pytest.mark.parametrize(("status", "body"), [(502, b"<html>Bad Gateway</html>"), (500, b"{}")])
async def test_provider_failure_is_service_error(
    scripted: Scripted, make_client: Make, status: int, body: bytes
) -> None:
    scripted.answer(status, body)
    with pytest.raises(ServiceError) as caught:
        await call(make_client(base_url=scripted.url), "refresh", "rt.secret")
    assert not isinstance(caught.value, ServiceUnreachable)
    assert caught.value.status == status and "rt.secret" not in str(caught.value)
    assert len(scripted.seen) == 1  # POST /token is never retried: refresh tokens rotate


async def test_connection_refused_is_unreachable(refused_url: str, make_client: Make) -> None:
    client = make_client(base_url=refused_url)
    with pytest.raises(ServiceUnreachable) as caught:
        await call(client, "sign_in_with_password", "alice", "pw-secret")
    assert isinstance(caught.value, ApiError)
    assert "pw-secret" not in str(caught.value)


async def test_read_timeout_from_config(scripted: Scripted, make_client: Make) -> None:
    scripted.delay = 0.3
    client = make_client(base_url=scripted.url, read_timeout=0.05)
    with pytest.raises(ServiceUnreachable):
        await call(client, "sign_in_anonymously")
    assert len(scripted.seen) == 1  # a POST is not retried


async def test_get_is_retried_once_after_a_timeout(scripted: Scripted, make_client: Make) -> None:
    scripted.delay = 0.3
    client = make_client(base_url=scripted.url, read_timeout=0.05)
    with pytest.raises(ServiceUnreachable):
        await call(client, "introspect", "at.1")
    assert len(scripted.seen) == 2
