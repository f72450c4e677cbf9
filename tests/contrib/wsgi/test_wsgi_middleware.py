"""The plain WSGI middleware through werkzeug's WSGI test client."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.test import Client, TestResponse

from cloudbase_auth_mw.contrib.wsgi import CloudBaseAuthMiddleware
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.errors import RequestAuthError
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing import bearer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

REALM = 'Bearer realm="cloudbase"'


def echo_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Reports the ``cloudbase.*`` keys it received; ``/profile`` also reads the profile."""
    user = environ["cloudbase.user"]
    error = environ["cloudbase.error"]
    body: dict[str, Any] = {
        "user": user.sub if user else None,
        "error": type(error).__name__ if error else None,
        "has_guard": environ["cloudbase.guard"] is not None,
    }
    if environ.get("PATH_INFO") == "/profile" and user:
        body["name"] = user.profile.name
    data = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [data]


def client(guard: CloudBaseGuard, **options: Any) -> Client:
    return Client(CloudBaseAuthMiddleware(echo_app, guard, **options))


def body(response: TestResponse) -> Any:
    return json.loads(response.get_data())


# ---------------------------------------------------------------------- environ keys
def test_no_token_passes_with_no_user(guard: CloudBaseGuard) -> None:
    response = client(guard).get("/anything")
    assert response.status_code == 200
    assert body(response) == {"user": None, "error": None, "has_guard": True}


def test_valid_token_sets_the_user(guard: CloudBaseGuard, token: str, alice: Any) -> None:
    assert body(client(guard).get("/", headers=bearer(token)))["user"] == alice.sub


def test_another_scheme_counts_as_no_token(guard: CloudBaseGuard) -> None:
    response = client(guard).get("/", headers={"Authorization": "Basic YTpi"})
    assert response.status_code == 200
    assert body(response) == {"user": None, "error": None, "has_guard": True}


@pytest.mark.parametrize(
    ("credentials", "status", "error"),
    [("Bearer a.b.c", 401, "invalid_token"), ("Bearer two parts", 400, "invalid_request")],
)
def test_bad_credentials_are_refused_on_an_open_path(
    guard: CloudBaseGuard, credentials: str, status: int, error: str
) -> None:
    response = client(guard).get("/", headers={"Authorization": credentials})
    assert response.status_code == status
    assert response.headers["WWW-Authenticate"].startswith(f'{REALM}, error="{error}"')
    assert body(response)["error"] == error  # the guard's body: the app was not called


def test_expired_token_on_an_open_path_is_401(
    guard: CloudBaseGuard, emulator: Emulator, alice: Any
) -> None:
    expired = emulator.mint_access_token(alice.sub, issued_at=time.time() - 10_000, lifetime=7200)
    response = client(guard).get("/", headers=bearer(expired))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')
    assert body(response) == {
        "error": "invalid_token",
        "error_description": "The access token expired.",
    }


def test_provider_down_on_an_open_path_is_503(
    guard: CloudBaseGuard, emulator: Emulator, token: str
) -> None:
    emulator.faults.down(True)
    response = client(guard).get("/", headers=bearer(token))
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "WWW-Authenticate" not in response.headers
    assert body(response)["error"] == "temporarily_unavailable"


# ---------------------------------------------------------------------- required paths
def test_required_answers_the_challenge(guard: CloudBaseGuard, token: str) -> None:
    app = client(guard, required=True)
    response = app.get("/x")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == REALM
    assert response.headers["Content-Type"] == "application/json"
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert body(response)["error"] == "unauthorized"
    assert app.get("/x", headers=bearer(token)).status_code == 200


def test_required_paths_match_whole_segments(guard: CloudBaseGuard) -> None:
    app = client(guard, required_paths=["/api/", "/admin"])
    assert app.get("/api").status_code == 401
    assert app.get("/api/orders").status_code == 401
    assert app.get("/admin/users").status_code == 401
    assert app.get("/apiary").status_code == 200
    assert app.get("/administrator").status_code == 200
    assert app.get("/").status_code == 200
    assert client(guard, required_paths=["/"]).get("/anything").status_code == 401


def test_bad_token_on_a_required_path(
    guard: CloudBaseGuard, emulator: Emulator, alice: Any
) -> None:
    expired = emulator.mint_access_token(alice.sub, issued_at=time.time() - 10_000, lifetime=7200)
    response = client(guard, required=True).get("/", headers=bearer(expired))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith(REALM + ', error="invalid_token"')


def test_provider_down_on_a_required_path(
    guard: CloudBaseGuard, emulator: Emulator, token: str
) -> None:
    emulator.faults.down(True)
    response = client(guard, required=True).get("/", headers=bearer(token))
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "WWW-Authenticate" not in response.headers


def test_groups_scopes_and_anonymous(
    guard: CloudBaseGuard, emulator: Emulator, alice: Any, token: str
) -> None:
    admin = client(guard, required=True, groups=["admin"])
    refused = admin.get("/", headers=bearer(token))
    assert refused.status_code == 403
    assert 'scope="admin"' in refused.headers["WWW-Authenticate"]
    admin_token = emulator.mint_access_token(alice.sub, groups=("admin",))
    assert admin.get("/", headers=bearer(admin_token)).status_code == 200

    scoped = client(guard, required=True, scopes=["orders:read"])
    assert scoped.get("/", headers=bearer(token)).status_code == 403
    orders = emulator.mint_access_token(alice.sub, scope="user orders:read")
    assert scoped.get("/", headers=bearer(orders)).status_code == 200

    anonymous = emulator.mint_access_token(alice.sub, scope="anonymous")
    assert client(guard, required=True).get("/", headers=bearer(anonymous)).status_code == 200
    members = client(guard, required=True, allow_anonymous=False)
    assert members.get("/", headers=bearer(anonymous)).status_code == 403


# ---------------------------------------------------------------------- token locations
def test_cookie_and_query_only_when_enabled(
    config: CloudBaseAuthConfig, token: str, alice: Any
) -> None:
    plain = client(CloudBaseGuard(config))
    plain.set_cookie("access_token", token)
    assert body(plain.get(f"/?access_token={token}"))["user"] is None

    everywhere = CloudBaseGuard(config.replace(token_locations=("header", "cookie", "query")))
    by_query = client(everywhere)
    assert body(by_query.get(f"/?access_token={token}"))["user"] == alice.sub
    by_cookie = client(everywhere)
    by_cookie.set_cookie("access_token", token)
    assert body(by_cookie.get("/"))["user"] == alice.sub
    twice = by_cookie.get(f"/?access_token={token}")
    assert (twice.status_code, body(twice)["error"]) == (400, "invalid_request")
    strict = client(everywhere, required=True)
    response = strict.get(f"/?access_token={token}", headers=bearer(token))
    assert response.status_code == 400
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]


# ---------------------------------------------------------------------- construction
def test_guard_or_config_not_both(config: CloudBaseAuthConfig, guard: CloudBaseGuard) -> None:
    with pytest.raises(TypeError, match="not both"):
        CloudBaseAuthMiddleware(echo_app, guard, config)


def test_config_object(config: CloudBaseAuthConfig, token: str, alice: Any) -> None:
    app = Client(CloudBaseAuthMiddleware(echo_app, config=config, required=True))
    assert body(app.get("/", headers=bearer(token)))["user"] == alice.sub


def test_config_from_environment(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, token: str, alice: Any
) -> None:
    monkeypatch.setenv("CLOUDBASE_AUTH_ENV_ID", emulator.env_id)
    monkeypatch.setenv("CLOUDBASE_AUTH_BASE_URL", emulator.base_url)
    monkeypatch.setenv("CLOUDBASE_AUTH_REALM", "from-env")
    middleware = CloudBaseAuthMiddleware(echo_app, required=True)
    assert middleware.guard.config.realm == "from-env"
    app = Client(middleware)
    assert app.get("/").headers["WWW-Authenticate"] == 'Bearer realm="from-env"'
    assert body(app.get("/", headers=bearer(token)))["user"] == alice.sub


def test_reject_can_be_overridden(guard: CloudBaseGuard) -> None:
    class PlainText(CloudBaseAuthMiddleware):
        def reject(
            self, error: RequestAuthError, environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response(f"{error.status} No", [("Content-Type", "text/plain")])
            return [b"sign in first"]

    response = Client(PlainText(echo_app, guard, required=True)).get("/")
    assert (response.status_code, response.get_data()) == (401, b"sign in first")


def test_reject_may_pass_bad_credentials_on_with_the_error(
    guard: CloudBaseGuard, emulator: Emulator, alice: Any
) -> None:
    class Lenient(CloudBaseAuthMiddleware):
        def reject(
            self, error: RequestAuthError, environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            return self.app(environ, start_response)  # the app decides, from cloudbase.error

    expired = emulator.mint_access_token(alice.sub, issued_at=time.time() - 10_000, lifetime=7200)
    response = Client(Lenient(echo_app, guard)).get("/", headers=bearer(expired))
    assert response.status_code == 200
    assert body(response) == {"user": None, "error": "TokenExpired", "has_guard": True}


def test_lazy_profile_once_across_requests(
    guard: CloudBaseGuard, emulator: Emulator, token: str
) -> None:
    app = client(guard, required=True)
    assert emulator.counters["/auth/v1/user/me"] == 0
    for _ in range(3):
        assert body(app.get("/profile", headers=bearer(token)))["name"] == "Alice"
    assert emulator.counters["/auth/v1/user/me"] == 1


def test_tokens_never_in_logs_or_bodies(
    guard: CloudBaseGuard, emulator: Emulator, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    forged = token[: token.rindex(".") + 1] + "A" * 40
    text = ""
    with caplog.at_level(logging.DEBUG):
        for credentials in (token, forged):
            for options in ({}, {"required": True}):
                response = client(guard, **options).get("/", headers=bearer(credentials))
                text += response.get_data(as_text=True) + str(response.headers)
    for credentials in (token, forged):
        assert credentials not in caplog.text + text


# ---------------------------------------------------------------------- a real server
@pytest.fixture
def served(guard: CloudBaseGuard) -> Iterator[str]:
    """The middleware (``/api`` required) behind werkzeug's threaded server on loopback."""
    app = CloudBaseAuthMiddleware(echo_app, guard, required_paths=["/api"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_through_a_real_server(served: str, token: str, alice: Any, emulator: Emulator) -> None:
    with requests.Session() as http:
        assert http.get(f"{served}/").json()["user"] is None
        refused = http.get(f"{served}/api/orders")
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == REALM
        for _ in range(2):
            answer = http.get(f"{served}/profile", headers=bearer(token))
            assert answer.json()["name"] == "Alice"
        assert http.get(f"{served}/api/x", headers=bearer(token)).json()["user"] == alice.sub
    assert emulator.counters["/auth/v1/user/me"] == 1
