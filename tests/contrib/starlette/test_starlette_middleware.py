"""``CloudBaseAuthMiddleware`` on Starlette: request.user, request.auth, @requires, @require."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.endpoints import HTTPEndpoint
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from cloudbase_auth_mw.contrib.starlette import (
    CloudBaseAuthMiddleware,
    CloudBaseStarletteUser,
    login_required,
    require,
)
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.errors import ConfigurationError, RequestAuthError
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing import bearer

ME = "/auth/v1/user/me"


def who(conn: HTTPConnection) -> dict[str, Any]:
    user = conn.user
    return {
        "user": user.identity if user.is_authenticated else None,
        "type": type(user).__name__,
        "authenticated": user.is_authenticated,
        "scopes": conn.auth.scopes,
    }


async def public(request: Request) -> JSONResponse:
    return JSONResponse(who(request))


@requires("authenticated")
async def starlette_private(request: Request) -> JSONResponse:
    return JSONResponse(who(request))


@requires("group:admin")
async def starlette_admin(request: Request) -> JSONResponse:
    return JSONResponse(who(request))


@require(groups=("admin",))
async def admin(request: Request) -> JSONResponse:
    return JSONResponse(who(request))


@require(scopes=("sso",))
def sync_sso(request: Request) -> JSONResponse:
    return JSONResponse(who(request))


@login_required
async def profile(request: Request) -> JSONResponse:
    me = await request.user.cloudbase.aprofile()
    return JSONResponse(
        {"user": request.user.identity, "name": me.name, "display": request.user.display_name}
    )


class Members(HTTPEndpoint):
    @require(allow_anonymous=False)
    async def get(self, request: Request) -> Response:
        return JSONResponse(who(request))


async def ws_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json(who(websocket))
    await websocket.close()


@require(groups=("admin",))
async def ws_admin(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json(who(websocket))
    await websocket.close()


ROUTES = [
    Route("/public", public),
    Route("/starlette/private", starlette_private),
    Route("/starlette/admin", starlette_admin),
    Route("/admin", admin),
    Route("/sso", sync_sso),
    Route("/profile", profile),
    Route("/members", Members),
    WebSocketRoute("/ws", ws_echo),
    WebSocketRoute("/ws/admin", ws_admin),
]


def make_app(
    guard: CloudBaseGuard | None = None, events: list[str] | None = None, **options: Any
) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if events is not None:
            events.append("startup")
        yield
        if events is not None:
            events.append("shutdown")
        if guard is not None:
            await guard.aclose()

    return Starlette(
        routes=ROUTES,
        middleware=[Middleware(CloudBaseAuthMiddleware, guard=guard, **options)],
        lifespan=lifespan,
    )


@pytest.fixture
def client(guard: CloudBaseGuard) -> Any:
    with TestClient(make_app(guard)) as c:
        yield c


def test_valid_token_gives_a_starlette_user(
    client: TestClient, admin_token: str, alice: Any
) -> None:
    got = client.get("/public", headers=bearer(admin_token)).json()
    assert got == {
        "user": alice.sub,
        "type": "CloudBaseStarletteUser",
        "authenticated": True,
        "scopes": ["authenticated", "sso", "user", "group:user", "group:admin"],
    }


def test_no_token_is_starlette_unauthenticated_user(client: TestClient) -> None:
    got = client.get("/public").json()
    assert got == {
        "user": None,
        "type": "UnauthenticatedUser",
        "authenticated": False,
        "scopes": [],
    }


def test_anonymous_users_lose_authenticated_when_not_allowed(
    config: CloudBaseAuthConfig, emulator: Emulator, alice: Any
) -> None:
    token = emulator.mint_access_token(alice.sub, scope="anonymous")
    for allow, expected in ((True, ["authenticated", "anonymous"]), (False, ["anonymous"])):
        guard = CloudBaseGuard(config.replace(allow_anonymous=allow))
        with TestClient(make_app(guard)) as c:
            assert c.get("/public", headers=bearer(token)).json()["scopes"] == expected


def test_bad_token_on_a_public_route_is_a_401(client: TestClient) -> None:
    response = client.get("/public", headers=bearer("not.a.token"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith(
        'Bearer realm="cloudbase", error="invalid_token"'
    )
    assert response.json()["error"] == "invalid_token"


def test_doubled_header_is_a_400(client: TestClient, admin_token: str) -> None:
    headers = [("authorization", f"Bearer {admin_token}")] * 2
    assert client.get("/public", headers=headers).status_code == 400


def test_provider_down_is_a_503(client: TestClient, emulator: Emulator, admin_token: str) -> None:
    emulator.faults.down(True)
    response = client.get("/public", headers=bearer(admin_token))
    assert response.status_code == 503
    assert response.headers["retry-after"]


def test_on_error_returning_none_lets_the_request_through(guard: CloudBaseGuard) -> None:
    seen: list[RequestAuthError] = []

    def lenient(conn: HTTPConnection, error: RequestAuthError) -> None:
        seen.append(error)

    with TestClient(make_app(guard, on_error=lenient)) as c:
        got = c.get("/public", headers=bearer("not.a.token")).json()
    assert got["type"] == "UnauthenticatedUser"
    assert type(seen[0]).__name__ == "MalformedToken"


def test_starlette_requires_works(
    client: TestClient, admin_token: str, emulator: Emulator, alice: Any
) -> None:
    plain = emulator.mint_access_token(alice.sub, groups=("user",))
    assert client.get("/starlette/private").status_code == 403  # Starlette's own answer
    assert client.get("/starlette/private", headers=bearer(plain)).status_code == 200
    assert client.get("/starlette/admin", headers=bearer(plain)).status_code == 403
    assert client.get("/starlette/admin", headers=bearer(admin_token)).status_code == 200


def test_require_renders_401_and_403(
    client: TestClient, admin_token: str, emulator: Emulator, alice: Any
) -> None:
    plain = emulator.mint_access_token(alice.sub, groups=("user",))
    missing = client.get("/admin")
    refused = client.get("/admin", headers=bearer(plain))
    assert (missing.status_code, missing.headers["www-authenticate"]) == (
        401,
        'Bearer realm="cloudbase"',
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "insufficient_scope"
    assert client.get("/admin", headers=bearer(admin_token)).status_code == 200


def test_require_groups_falls_back_to_the_profile(client: TestClient, emulator: Emulator) -> None:
    boss = emulator.add_user(username="boss", password="Passw0rd!", groups=("admin",))
    token = emulator.mint_access_token(boss.sub, claims_overrides={"groups": None})
    assert client.get("/admin", headers=bearer(token)).status_code == 200
    assert emulator.counters[ME] == 1


def test_require_on_sync_endpoints_and_endpoint_classes(
    client: TestClient, admin_token: str, emulator: Emulator, alice: Any
) -> None:
    anonymous = emulator.mint_access_token(alice.sub, scope="anonymous")
    assert client.get("/sso", headers=bearer(admin_token)).status_code == 200
    assert client.get("/sso", headers=bearer(anonymous)).status_code == 403
    assert client.get("/members", headers=bearer(admin_token)).status_code == 200
    assert client.get("/members", headers=bearer(anonymous)).status_code == 403


def test_profile_is_fetched_once_across_requests(
    client: TestClient, emulator: Emulator, admin_token: str
) -> None:
    for _ in range(3):
        got = client.get("/profile", headers=bearer(admin_token)).json()
        assert got["name"] == "Alice"
    assert emulator.counters[ME] == 1


def test_websocket_sees_the_user(client: TestClient, admin_token: str, alice: Any) -> None:
    with client.websocket_connect("/ws", headers=bearer(admin_token)) as ws:
        assert ws.receive_json()["user"] == alice.sub
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_json()["type"] == "UnauthenticatedUser"


def test_websocket_with_a_bad_token_is_closed_with_1008(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws", headers=bearer("x.y.z")),
    ):
        pass  # pragma: no cover
    assert closed.value.code == 1008


def test_require_on_a_websocket_closes_with_1008(client: TestClient, admin_token: str) -> None:
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws/admin"):
        pass  # pragma: no cover
    assert closed.value.code == 1008
    with client.websocket_connect("/ws/admin", headers=bearer(admin_token)) as ws:
        assert "group:admin" in ws.receive_json()["scopes"]


def test_lifespan_passes_through(guard: CloudBaseGuard) -> None:
    events: list[str] = []
    with TestClient(make_app(guard, events)):
        assert events == ["startup"]
    assert events == ["startup", "shutdown"]


def test_wrapping_any_asgi_app(guard: CloudBaseGuard, admin_token: str, alice: Any) -> None:
    async def raw(scope: Any, receive: Any, send: Any) -> None:
        data = {"user": scope["user"].identity, "cb": scope["cloudbase.user"].sub}
        await JSONResponse(data)(scope, receive, send)

    client = TestClient(CloudBaseAuthMiddleware(raw, guard))  # `raw` has no lifespan: no `with`
    got = client.get("/", headers=bearer(admin_token)).json()
    assert got == {"user": alice.sub, "cb": alice.sub}


def test_config_from_keyword_settings(emulator: Emulator, admin_token: str, alice: Any) -> None:
    app = make_app(env_id=emulator.env_id, base_url=emulator.base_url)
    with TestClient(app) as c:
        assert c.get("/public", headers=bearer(admin_token)).json()["user"] == alice.sub


def test_misconfiguration_fails_at_startup_naming_the_setting(emulator: Emulator) -> None:
    app = make_app(env_id=emulator.env_id, verify_mode="static")
    with pytest.raises(ConfigurationError, match="public_key"):
        app.build_middleware_stack()  # what Starlette does on its first (lifespan) call


async def test_async_client_and_user_object(
    guard: CloudBaseGuard, admin_token: str, alice: Any
) -> None:
    seen: list[Any] = []

    async def grab(request: Request) -> JSONResponse:
        seen.append(request.user)
        return JSONResponse({})

    app = Starlette(
        routes=[Route("/", grab)], middleware=[Middleware(CloudBaseAuthMiddleware, guard=guard)]
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.get("/", headers=bearer(admin_token))
    await guard.aclose()
    user = seen[0]
    assert isinstance(user, CloudBaseStarletteUser)
    assert (user.sub, user.is_anonymous, user.cloudbase.sub) == (alice.sub, False, alice.sub)
    assert (await user.aprofile()).name == "Alice"
    assert "Bearer" not in repr(user) and admin_token not in repr(user)
