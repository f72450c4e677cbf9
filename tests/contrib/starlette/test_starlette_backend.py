"""``CloudBaseAuthBackend`` inside Starlette's own ``AuthenticationMiddleware``."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.authentication import AuthenticationError, requires
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from cloudbase_auth_mw.contrib.starlette import CloudBaseAuthBackend, require
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing import bearer, closing_lifespan


async def public(request: Request) -> JSONResponse:
    user = request.user.identity if request.user.is_authenticated else None
    return JSONResponse({"user": user, "scopes": request.auth.scopes})


@requires("authenticated")
async def private(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.user.identity})


@require(groups=("admin",))
async def admin(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.user.identity})


def make_app(guard: CloudBaseGuard, **options: Any) -> Starlette:
    backend = CloudBaseAuthBackend(guard)
    return Starlette(
        routes=[Route("/public", public), Route("/private", private), Route("/admin", admin)],
        middleware=[Middleware(AuthenticationMiddleware, backend=backend, **options)],
        lifespan=closing_lifespan(guard),
    )


@pytest.fixture
def client(guard: CloudBaseGuard) -> Any:
    with TestClient(make_app(guard, on_error=CloudBaseAuthBackend.on_error)) as c:
        yield c


def test_valid_token(client: TestClient, admin_token: str, alice: Any) -> None:
    got = client.get("/public", headers=bearer(admin_token)).json()
    assert got["user"] == alice.sub
    assert "group:admin" in got["scopes"]
    assert client.get("/private", headers=bearer(admin_token)).status_code == 200
    assert client.get("/admin", headers=bearer(admin_token)).status_code == 200


def test_no_token(client: TestClient) -> None:
    assert client.get("/public").json() == {"user": None, "scopes": []}
    assert client.get("/private").status_code == 403  # Starlette's @requires
    missing = client.get("/admin")  # ours: 401 with the challenge
    assert (missing.status_code, missing.headers["www-authenticate"]) == (
        401,
        'Bearer realm="cloudbase"',
    )


def test_on_error_answers_our_401_instead_of_starlettes_400(guard: CloudBaseGuard) -> None:
    with TestClient(make_app(guard)) as default:
        assert default.get("/public", headers=bearer("x.y.z")).status_code == 400
    with TestClient(make_app(guard, on_error=CloudBaseAuthBackend.on_error)) as ours:
        response = ours.get("/public", headers=bearer("x.y.z"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="cloudbase", error=')
    assert response.json()["error"] == "invalid_token"


def test_provider_down_is_a_503(client: TestClient, emulator: Emulator, admin_token: str) -> None:
    emulator.faults.down(True)
    response = client.get("/public", headers=bearer(admin_token))
    assert response.status_code == 503
    assert response.headers["retry-after"]


def test_foreign_authentication_errors_keep_starlettes_answer() -> None:
    conn = HTTPConnection({"type": "http", "headers": []})
    response = CloudBaseAuthBackend.on_error(conn, AuthenticationError("nope"))
    assert (response.status_code, response.body) == (400, b"nope")
