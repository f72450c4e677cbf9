"""Django REST framework: ``CloudBaseAuthentication``, with and without the middleware."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cbauth_django_settings import MIDDLEWARE, SETTINGS
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.testing import bearer

pytestmark = [pytest.mark.usefixtures("guard"), pytest.mark.django_db]
REALM = 'Bearer realm="cloudbase"'
WITHOUT_MIDDLEWARE = [m for m in SETTINGS["MIDDLEWARE"] if m != MIDDLEWARE]


@pytest.fixture(params=["with middleware", "without middleware"])
def stack(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every DRF test runs behind CloudBaseAuthMiddleware and without it."""
    if request.param == "with middleware":
        yield request.param
    else:
        with override_settings(MIDDLEWARE=WITHOUT_MIDDLEWARE):
            yield request.param


def test_valid_token_gives_django_user_and_cloudbase_user(
    client: Client, stack: str, alice: str, alice_token: str
) -> None:
    response = client.get("/drf/me", headers=bearer(alice_token))
    assert response.status_code == 200
    assert response.json() == {"username": alice, "sub": alice}


def test_no_token_is_401_with_our_challenge(client: Client, stack: str) -> None:
    response = client.get("/drf/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM
    assert client.get("/drf/open").json() == {"username": None}


@pytest.mark.parametrize("path", ["/drf/me", "/drf/open"])
def test_bad_token_is_401_with_the_guards_body(
    client: Client, stack: str, emulator: Emulator, alice: str, path: str
) -> None:
    token = emulator.mint_access_token(alice, issued_at=emulator.now() - 10_000, lifetime=7200)
    response = client.get(path, headers=bearer(token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')
    assert response.json() == {
        "error": "invalid_token",
        "error_description": "The access token expired.",
    }


def test_provider_down_is_503_with_retry_after(
    client: Client, stack: str, emulator: Emulator, alice_token: str
) -> None:
    emulator.faults.down(True)
    response = client.get("/drf/me", headers=bearer(alice_token))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["error"] == "temporarily_unavailable"


def test_inactive_user_is_refused(client: Client, stack: str, alice: str, alice_token: str) -> None:
    get_user_model().objects.create(username=alice, is_active=False)
    response = client.get("/drf/me", headers=bearer(alice_token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
