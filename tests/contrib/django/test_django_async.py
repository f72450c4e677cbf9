"""The async path: CloudBaseAuthMiddleware in an async stack, async views, ``request.auser()``.

The guard used here (``nonblocking_guard``) has a sync transport that fails the test if anything
touches it: every token check and profile fetch of the async path must go through the async
transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from asgiref.sync import iscoroutinefunction
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient

from cloudbase_auth_mw.contrib.django.conf import override_guard
from cloudbase_auth_mw.contrib.django.middleware import CloudBaseAuthMiddleware
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing import bearer

REALM = 'Bearer realm="cloudbase"'


@pytest.fixture
async def aguard(nonblocking_guard: CloudBaseGuard) -> AsyncIterator[CloudBaseGuard]:
    with override_guard(nonblocking_guard):
        yield nonblocking_guard
    await nonblocking_guard.aclose()


def test_middleware_is_async_capable_like_djangos_own() -> None:
    async def get_response(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    def sync_get_response(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert CloudBaseAuthMiddleware.sync_capable and CloudBaseAuthMiddleware.async_capable
    assert iscoroutinefunction(CloudBaseAuthMiddleware(get_response))
    assert not iscoroutinefunction(CloudBaseAuthMiddleware(sync_get_response))


@pytest.mark.parametrize("path", ["/async/private", "/async/cbv", "/private"])
async def test_valid_token(
    async_client: AsyncClient, aguard: CloudBaseGuard, alice: str, alice_token: str, path: str
) -> None:
    response = await async_client.get(path, headers=bearer(alice_token))
    assert response.status_code == 200
    assert response.json() == {"user": alice, "anonymous": False}


@pytest.mark.parametrize("path", ["/async/private", "/async/cbv", "/async/admin"])
async def test_no_token_is_401(
    async_client: AsyncClient, aguard: CloudBaseGuard, path: str
) -> None:
    response = await async_client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM


async def test_forged_token_is_401(
    async_client: AsyncClient, aguard: CloudBaseGuard, emulator: Emulator, alice: str
) -> None:
    token = emulator.mint_access_token(alice, claims_overrides={"aud": "someone-else"})
    response = await async_client.get("/async/private", headers=bearer(token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')


async def test_anonymous_refused_by_async_views(
    async_client: AsyncClient, aguard: CloudBaseGuard, emulator: Emulator, alice: str
) -> None:
    token = emulator.mint_access_token(alice, scope="anonymous")
    for path in ("/async/members", "/async/cbv"):
        response = await async_client.get(path, headers=bearer(token))
        assert response.status_code == 403, path


async def test_group_from_profile_fetched_async(
    async_client: AsyncClient, aguard: CloudBaseGuard, emulator: Emulator
) -> None:
    admin = emulator.add_user(username="root", password="Passw0rd!", groups=("admin",)).sub
    token = emulator.mint_access_token(admin, claims_overrides={"groups": None})
    assert (await async_client.get("/async/admin", headers=bearer(token))).status_code == 200
    plain = emulator.add_user(username="bob", password="Passw0rd!").sub
    token = emulator.mint_access_token(plain, claims_overrides={"groups": None})
    assert (await async_client.get("/async/admin", headers=bearer(token))).status_code == 403


async def test_profile_async(
    async_client: AsyncClient, aguard: CloudBaseGuard, alice: str, alice_token: str
) -> None:
    response = await async_client.get("/async/profile", headers=bearer(alice_token))
    assert response.json() == {"user": alice, "name": "Alice"}


async def test_provider_down_is_503(
    async_client: AsyncClient, aguard: CloudBaseGuard, emulator: Emulator, alice_token: str
) -> None:
    emulator.faults.down(True)
    response = await async_client.get("/async/private", headers=bearer(alice_token))
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.django_db(transaction=True)
async def test_auser_maps_and_creates_the_django_user(
    async_client: AsyncClient, aguard: CloudBaseGuard, alice: str, alice_token: str
) -> None:
    response = await async_client.get("/async/whoami", headers=bearer(alice_token))
    assert response.json() == {"username": alice, "authenticated": True}
    user = await get_user_model().objects.aget(username=alice)
    assert user.email == "alice@example.com"  # configure_user got the profile (fetched async)
    assert not user.has_usable_password()
    anonymous = await async_client.get("/async/whoami")
    assert anonymous.json() == {"username": "", "authenticated": False}


async def test_bad_token_is_refused_not_served_as_anonymous(
    async_client: AsyncClient, aguard: CloudBaseGuard
) -> None:
    response = await async_client.get("/async/whoami", headers=bearer("a.b.c"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')


async def test_public_route_judges_sent_credentials(
    async_client: AsyncClient, aguard: CloudBaseGuard, emulator: Emulator, alice: str
) -> None:
    token = emulator.mint_access_token(alice)
    assert (await async_client.get("/async/public")).json() == {"user": None}
    valid = await async_client.get("/async/public", headers=bearer(token))
    assert valid.json() == {"user": alice}
    basic = await async_client.get("/async/public", headers={"Authorization": "Basic YTpi"})
    assert basic.json() == {"user": None}
    twice = await async_client.get("/async/public", headers={"Authorization": "Bearer a,Bearer a"})
    assert twice.status_code == 400
    expired = emulator.mint_access_token(alice, issued_at=emulator.now() - 10_000, lifetime=7200)
    refused = await async_client.get("/async/public", headers=bearer(expired))
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_token"


async def test_public_route_during_an_outage_is_503(
    async_client: AsyncClient, aguard: CloudBaseGuard, emulator: Emulator, alice_token: str
) -> None:
    emulator.faults.down(True)
    assert (await async_client.get("/async/public")).json() == {"user": None}
    down = await async_client.get("/async/public", headers=bearer(alice_token))
    assert down.status_code == 503
    assert down["Retry-After"]
    assert "WWW-Authenticate" not in down
