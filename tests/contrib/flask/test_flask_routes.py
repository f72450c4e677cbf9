"""Public and protected routes: statuses, challenges, groups, scopes, anonymous users."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.testing import bearer

REALM = 'Bearer realm="cloudbase"'


@pytest.fixture
def token(emulator: Emulator, alice: Any) -> str:
    return str(emulator.mint_access_token(alice.sub))


@pytest.fixture
def anonymous_token(emulator: Emulator) -> str:
    anon = emulator.add_user(username="anon-device", name="Anonymous")
    return str(emulator.mint_access_token(anon.sub, scope="anonymous"))


# ---------------------------------------------------------------------- public routes
def test_public_route_without_token(app: Flask) -> None:
    response = app.test_client().get("/public")
    assert response.status_code == 200
    assert response.get_json() == {"user": None, "error": None}


def test_public_route_sees_a_valid_user(app: Flask, token: str, alice: Any) -> None:
    response = app.test_client().get("/public", headers=bearer(token))
    assert response.get_json() == {"user": alice.sub, "error": None}


@pytest.mark.parametrize(
    ("credentials", "status", "error"),
    [
        ("Bearer not-a-jwt", 401, "invalid_token"),
        ("Bearer a.b.c", 401, "invalid_token"),
        ("Bearer ", 400, "invalid_request"),
        ("Bearer two parts", 400, "invalid_request"),
    ],
)
@pytest.mark.parametrize("path", ["/public", "/async/public"])
def test_public_route_refuses_bad_credentials(
    app: Flask, path: str, credentials: str, status: int, error: str
) -> None:
    response = app.test_client().get(path, headers={"Authorization": credentials})
    assert response.status_code == status
    assert response.headers["WWW-Authenticate"].startswith(f'{REALM}, error="{error}"')
    assert response.get_json()["error"] == error  # the guard's body: the view did not answer


@pytest.mark.parametrize("path", ["/public", "/async/public"])
def test_public_route_refuses_an_expired_token(
    app: Flask, emulator: Emulator, alice: Any, path: str
) -> None:
    expired = emulator.mint_access_token(alice.sub, issued_at=time.time() - 10_000, lifetime=7200)
    response = app.test_client().get(path, headers=bearer(expired))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')
    assert response.get_json() == {
        "error": "invalid_token",
        "error_description": "The access token expired.",
    }


@pytest.mark.parametrize("path", ["/public", "/async/public"])
def test_public_route_while_provider_is_down_is_503(
    app: Flask, emulator: Emulator, token: str, path: str
) -> None:
    emulator.faults.down(True)
    response = app.test_client().get(path, headers=bearer(token))
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "WWW-Authenticate" not in response.headers
    assert response.get_json()["error"] == "temporarily_unavailable"


def test_public_route_with_another_scheme_runs_without_user(app: Flask) -> None:
    response = app.test_client().get("/public", headers={"Authorization": "Basic YTpi"})
    assert response.status_code == 200
    assert response.get_json() == {"user": None, "error": None}


def test_requests_without_credentials_skip_the_check(app: Flask, token: str) -> None:
    resolved: list[bool] = []

    @app.get("/hello")
    def hello() -> str:
        resolved.append("cloudbase_auth.flask" in request.environ)
        return "hello"

    client = app.test_client()
    assert client.get("/hello").status_code == 200
    assert client.get("/hello", headers=bearer(token)).status_code == 200
    assert resolved == [False, True]  # only credentials that are sent are read


# ---------------------------------------------------------------------- login_required
def test_no_token_is_a_bare_challenge(app: Flask) -> None:
    response = app.test_client().get("/private")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == REALM
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "unauthorized"


def test_another_scheme_counts_as_no_token(app: Flask) -> None:
    response = app.test_client().get("/private", headers={"Authorization": "Basic YTpi"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == REALM


def test_valid_user(app: Flask, token: str, alice: Any) -> None:
    response = app.test_client().get("/private", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"user": alice.sub, "anonymous": False}


def test_expired_token(app: Flask, emulator: Emulator, alice: Any) -> None:
    expired = emulator.mint_access_token(alice.sub, issued_at=time.time() - 10_000, lifetime=7200)
    response = app.test_client().get("/private", headers=bearer(expired))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')
    assert response.get_json()["error"] == "invalid_token"


def test_malformed_header_is_invalid_request(app: Flask) -> None:
    response = app.test_client().get("/private", headers={"Authorization": "Bearer two parts"})
    assert response.status_code == 400
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]


def test_provider_down_is_503(app: Flask, emulator: Emulator, token: str) -> None:
    emulator.faults.down(True)
    response = app.test_client().get("/private", headers=bearer(token))
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "WWW-Authenticate" not in response.headers
    assert response.get_json()["error"] == "temporarily_unavailable"


# ---------------------------------------------------------------------- token locations
def test_query_token_only_when_enabled(
    make_app: Callable[..., Flask], token: str, alice: Any
) -> None:
    default = make_app().test_client().get(f"/private?access_token={token}")
    assert default.status_code == 401
    enabled = make_app(token_locations="header,query").test_client()
    assert enabled.get(f"/private?access_token={token}").get_json()["user"] == alice.sub


def test_cookie_token_only_when_enabled(
    make_app: Callable[..., Flask], token: str, alice: Any
) -> None:
    default = make_app().test_client()
    default.set_cookie("access_token", token)
    assert default.get("/private").status_code == 401
    enabled = make_app(token_locations="header,cookie").test_client()
    enabled.set_cookie("access_token", token)
    assert enabled.get("/private").get_json()["user"] == alice.sub


def test_token_sent_twice_is_400(make_app: Callable[..., Flask], token: str) -> None:
    client = make_app(token_locations="header,query").test_client()
    response = client.get(f"/private?access_token={token}", headers=bearer(token))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
    public = client.get(f"/public?access_token={token}", headers=bearer(token))
    assert public.status_code == 400  # on a public route too
    assert public.get_json()["error"] == "invalid_request"


# ---------------------------------------------------------------------- anonymous users
def test_anonymous_users_allowed_by_default(app: Flask, anonymous_token: str) -> None:
    response = app.test_client().get("/private", headers=bearer(anonymous_token))
    assert response.status_code == 200
    assert response.get_json()["anonymous"] is True


def test_decorator_refuses_anonymous_users(app: Flask, anonymous_token: str) -> None:
    response = app.test_client().get("/members", headers=bearer(anonymous_token))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_setting_refuses_anonymous_users_and_decorator_overrides(
    make_app: Callable[..., Flask], anonymous_token: str, token: str
) -> None:
    client = make_app(allow_anonymous=False).test_client()
    assert client.get("/private", headers=bearer(anonymous_token)).status_code == 403
    assert client.get("/private", headers=bearer(token)).status_code == 200
    assert client.get("/welcome", headers=bearer(anonymous_token)).status_code == 200


# ---------------------------------------------------------------------- groups and scopes
def test_group_required(app: Flask, emulator: Emulator, alice: Any, token: str) -> None:
    client = app.test_client()
    refused = client.get("/admin", headers=bearer(token))
    assert refused.status_code == 403
    assert 'scope="admin"' in refused.headers["WWW-Authenticate"]
    admin_token = emulator.mint_access_token(alice.sub, groups=("user", "admin"))
    assert client.get("/admin", headers=bearer(admin_token)).get_json() == {"user": alice.sub}


def test_any_one_of_several_groups(app: Flask, emulator: Emulator, alice: Any) -> None:
    staff_token = emulator.mint_access_token(alice.sub, groups=("staff",))
    assert app.test_client().get("/staff", headers=bearer(staff_token)).status_code == 200


def test_groups_come_from_the_profile_when_the_token_has_none(
    app: Flask, emulator: Emulator
) -> None:
    boss = emulator.add_user(username="boss", password="Passw0rd!", name="Boss", groups=("admin",))
    token = emulator.mint_access_token(boss.sub, claims_overrides={"groups": None})
    response = app.test_client().get("/admin", headers=bearer(token))
    assert response.status_code == 200
    assert emulator.counters["/auth/v1/user/me"] == 1


def test_scope_required(app: Flask, emulator: Emulator, alice: Any, token: str) -> None:
    client = app.test_client()
    refused = client.get("/orders", headers=bearer(token))
    assert refused.status_code == 403
    assert 'scope="orders:read"' in refused.headers["WWW-Authenticate"]
    scoped = emulator.mint_access_token(alice.sub, scope="user orders:read")
    assert client.get("/orders", headers=bearer(scoped)).status_code == 200


def test_imperative_authorize(app: Flask, token: str, alice: Any, anonymous_token: str) -> None:
    client = app.test_client()
    assert client.get("/imperative").status_code == 401
    assert client.get("/imperative", headers=bearer(anonymous_token)).status_code == 403
    assert client.get("/imperative", headers=bearer(token)).get_json() == {"user": alice.sub}
