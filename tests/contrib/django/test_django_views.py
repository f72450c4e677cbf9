"""Views behind CloudBaseAuthMiddleware: decorators, mixins, Django's own checks (sync)."""

from __future__ import annotations

import pytest
from cbauth_django_settings import SETTINGS
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client, override_settings

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing import bearer

pytestmark = pytest.mark.usefixtures("guard")
REALM = 'Bearer realm="cloudbase"'


def test_public_route_without_token_has_no_user(client: Client) -> None:
    response = client.get("/public")
    assert response.status_code == 200
    assert response.json() == {"user": None, "error": None}


def test_public_route_sees_a_valid_user(client: Client, alice: str, alice_token: str) -> None:
    response = client.get("/public", headers=bearer(alice_token))
    assert response.json() == {"user": alice, "error": None}


def test_public_route_with_another_scheme_has_no_user(client: Client) -> None:
    response = client.get("/public", headers={"Authorization": "Basic YTpi"})
    assert response.status_code == 200
    assert response.json() == {"user": None, "error": None}


@pytest.mark.parametrize(
    ("credentials", "status", "error"),
    [("Bearer not.a.jwt", 401, "invalid_token"), ("Bearer a,Bearer a", 400, "invalid_request")],
)
def test_public_route_refuses_bad_credentials(
    client: Client, credentials: str, status: int, error: str
) -> None:
    response = client.get("/public", headers={"Authorization": credentials})
    assert response.status_code == status
    assert response["WWW-Authenticate"].startswith(f'{REALM}, error="{error}"')
    assert response.json()["error"] == error  # the guard's body: the view did not run


def test_public_route_refuses_an_expired_token(
    client: Client, emulator: Emulator, alice: str
) -> None:
    token = emulator.mint_access_token(alice, issued_at=emulator.now() - 10_000, lifetime=7200)
    response = client.get("/public", headers=bearer(token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')
    assert response.json() == {
        "error": "invalid_token",
        "error_description": "The access token expired.",
    }


@pytest.mark.parametrize("path", ["/private", "/cbv", "/members", "/admin"])
def test_protected_routes_without_token_answer_401_not_a_redirect(
    client: Client, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize("path", ["/private", "/cbv"])
def test_valid_token_reaches_the_view(
    client: Client, alice: str, alice_token: str, path: str
) -> None:
    response = client.get(path, headers=bearer(alice_token))
    assert response.status_code == 200
    assert response.json() == {"user": alice, "anonymous": False}


def test_expired_token_is_401_invalid_token(client: Client, emulator: Emulator, alice: str) -> None:
    token = emulator.mint_access_token(alice, issued_at=emulator.now() - 10_000, lifetime=7200)
    response = client.get("/private", headers=bearer(token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')
    assert response.json()["error"] == "invalid_token"


def test_token_sent_twice_is_400(client: Client, alice_token: str) -> None:
    headers = {"Authorization": f"Bearer {alice_token},Bearer {alice_token}"}
    response = client.get("/private", headers=headers)
    assert response.status_code == 400
    assert 'error="invalid_request"' in response["WWW-Authenticate"]


def test_anonymous_cloudbase_user_refused_where_asked(
    client: Client, emulator: Emulator, alice: str
) -> None:
    token = emulator.mint_access_token(alice, scope="anonymous")
    assert client.get("/private", headers=bearer(token)).json()["anonymous"] is True
    refused = client.get("/members", headers=bearer(token))
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]


def test_groups_from_token_and_from_profile(client: Client, emulator: Emulator) -> None:
    admin = emulator.add_user(username="root", password="Passw0rd!", groups=("admin",)).sub
    in_token = emulator.mint_access_token(admin, groups=("admin",))
    assert client.get("/admin", headers=bearer(in_token)).status_code == 200
    assert client.get("/cbv-admin", headers=bearer(in_token)).status_code == 200
    from_profile = emulator.mint_access_token(admin, claims_overrides={"groups": None})
    assert client.get("/admin", headers=bearer(from_profile)).status_code == 200
    user = emulator.add_user(username="bob", password="Passw0rd!").sub
    denied = client.get("/cbv-admin", headers=bearer(emulator.mint_access_token(user)))
    assert denied.status_code == 403
    assert 'scope="admin"' in denied["WWW-Authenticate"]


def test_missing_scope_is_403(client: Client, emulator: Emulator, alice: str) -> None:
    assert (
        client.get("/scoped", headers=bearer(emulator.mint_access_token(alice))).status_code == 403
    )
    token = emulator.mint_access_token(alice, scope="user orders:read")
    assert client.get("/scoped", headers=bearer(token)).status_code == 200


def test_profile_is_loaded_lazily(client: Client, alice: str, alice_token: str) -> None:
    response = client.get("/profile", headers=bearer(alice_token))
    assert response.json() == {"user": alice, "name": "Alice"}


def test_provider_down_is_503_for_any_route(
    client: Client, emulator: Emulator, alice_token: str
) -> None:
    emulator.faults.down(True)
    for path in ("/public", "/private", "/whoami"):
        response = client.get(path, headers=bearer(alice_token))
        assert response.status_code == 503, path
        assert response["Retry-After"]
        assert "WWW-Authenticate" not in response
        assert response.json()["error"] == "temporarily_unavailable"


def test_profile_outage_inside_a_view_is_503(
    client: Client, emulator: Emulator, alice_token: str
) -> None:
    assert client.get("/private", headers=bearer(alice_token)).status_code == 200  # keys cached
    emulator.faults.down(True)
    response = client.get("/profile", headers=bearer(alice_token))
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.django_db
def test_request_user_is_the_mapped_django_user(
    client: Client, alice: str, alice_token: str
) -> None:
    response = client.get("/whoami", headers=bearer(alice_token))
    assert response.json() == {"username": alice, "authenticated": True}
    assert client.get("/whoami").json() == {"username": "", "authenticated": False}


@pytest.mark.django_db
def test_django_login_required_and_mixin_accept_the_token(client: Client, alice_token: str) -> None:
    assert client.get("/django-login", headers=bearer(alice_token)).status_code == 200
    assert client.get("/django-cbv", headers=bearer(alice_token)).status_code == 200
    assert client.get("/django-login").status_code == 302  # Django's own behaviour, unchanged
    assert client.get("/django-cbv").status_code == 403


@pytest.mark.django_db
def test_bad_token_is_refused_not_served_as_anonymous(client: Client, alice: str) -> None:
    response = client.get("/whoami", headers=bearer("not.a.jwt"))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert not get_user_model().objects.exists()  # no Django user was looked up or created


@pytest.mark.django_db
def test_permission_checks_use_the_mapped_user(
    client: Client, alice: str, alice_token: str
) -> None:
    assert client.get("/django-perm", headers=bearer(alice_token)).status_code == 403
    user = get_user_model().objects.get(username=alice)
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    assert client.get("/django-perm", headers=bearer(alice_token)).status_code == 200


@pytest.mark.django_db
def test_no_session_is_written_by_default(client: Client, alice: str, alice_token: str) -> None:
    response = client.get("/session", headers=bearer(alice_token))
    assert response.json() == {"username": alice, "session_user": None}
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_session_login_is_opt_in(
    client: Client, settings: object, guard: CloudBaseGuard, alice: str, alice_token: str
) -> None:
    settings.CLOUDBASE_AUTH = {"ENV_ID": "test-env", "SESSION_LOGIN": True}  # type: ignore[attr-defined]
    first = client.get("/session", headers=bearer(alice_token))
    user_id = first.json()["session_user"]
    assert user_id is not None and "sessionid" in first.cookies
    # Later requests without a token are the session's user (AuthenticationMiddleware)...
    assert client.get("/whoami").json() == {"username": alice, "authenticated": True}
    # ...and a second request with the token does not log in again (no new session key).
    second = client.get("/session", headers=bearer(alice_token))
    assert second.json()["session_user"] == user_id
    assert "sessionid" not in second.cookies


def test_bearer_header_requests_skip_csrf_but_others_do_not(alice_token: str) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/post", headers=bearer(alice_token)).status_code == 200
    assert strict.post("/post").status_code == 403  # CSRF failure: Django's own answer


@pytest.mark.django_db
def test_middleware_alone_without_sessions(client: Client, alice: str, alice_token: str) -> None:
    """Instead of AuthenticationMiddleware: a pure token API."""
    with override_settings(MIDDLEWARE=[SETTINGS["MIDDLEWARE"][-1]]):
        assert client.get("/whoami", headers=bearer(alice_token)).json()["username"] == alice
        assert client.get("/whoami").json() == {"username": "", "authenticated": False}


def test_decorators_work_without_the_middleware(
    client: Client, alice: str, alice_token: str
) -> None:
    """The decorators check the token themselves when the middleware did not run."""
    with override_settings(MIDDLEWARE=[]):
        assert client.get("/private", headers=bearer(alice_token)).json()["user"] == alice
        assert client.get("/async/private", headers=bearer(alice_token)).json()["user"] == alice
        assert client.get("/private").status_code == 401
        assert client.get("/private", headers=bearer("x.y.z")).status_code == 401
