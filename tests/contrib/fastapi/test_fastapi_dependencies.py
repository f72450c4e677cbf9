"""FastAPI dependencies: current_user, optional_user, Security(require), require_groups, OpenAPI."""

from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Security, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from cloudbase_auth_mw.contrib.asgi import CloudBaseAuthMiddleware as AsgiMiddleware
from cloudbase_auth_mw.contrib.fastapi import (
    CloudBaseAuth,
    current_user,
    optional_user,
    require,
    require_groups,
    require_user,
)
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard, CloudBaseUser
from cloudbase_auth_mw.testing import bearer, closing_lifespan

ME = "/auth/v1/user/me"
User = Annotated[CloudBaseUser, Depends(current_user)]
MaybeUser = Annotated[CloudBaseUser | None, Depends(optional_user)]


def make_app(guard: CloudBaseGuard) -> FastAPI:
    app = FastAPI(lifespan=closing_lifespan(guard))
    CloudBaseAuth(app, guard=guard)

    @app.get("/public")
    async def public(user: MaybeUser) -> Any:
        return {"user": user.sub if user else None}

    @app.get("/private")
    async def private(user: User) -> Any:
        return {"user": user.sub}

    @app.get("/members")
    async def members(
        user: Annotated[CloudBaseUser, Depends(require_user(allow_anonymous=False))],
    ) -> Any:
        return {"user": user.sub}

    @app.get("/admin")
    async def admin(user: Annotated[CloudBaseUser, Security(require_groups("admin"))]) -> Any:
        return {"user": user.sub}

    @app.get("/sso")
    async def sso(user: Annotated[CloudBaseUser, Security(require, scopes=["sso"])]) -> Any:
        return {"user": user.sub}

    @app.get("/profile")
    async def profile(
        user: User, again: MaybeUser, admin: Annotated[Any, Depends(require_groups("admin"))]
    ) -> Any:
        return {
            "user": user.sub,
            "same": user is again is admin,
            "name": (await user.aprofile()).name,
        }

    @app.get("/sync")
    def sync_view(user: User) -> Any:
        return {"user": user.sub}

    @app.websocket("/ws")
    async def ws(websocket: WebSocket, user: User) -> None:
        await websocket.accept()
        await websocket.send_json({"user": user.sub})
        await websocket.close()

    return app


@pytest.fixture
def client(guard: CloudBaseGuard) -> Any:
    with TestClient(make_app(guard)) as c:
        yield c


def test_current_user_and_optional_user(client: TestClient, admin_token: str, alice: Any) -> None:
    assert client.get("/private", headers=bearer(admin_token)).json() == {"user": alice.sub}
    assert client.get("/public", headers=bearer(admin_token)).json() == {"user": alice.sub}
    assert client.get("/public").json() == {"user": None}
    assert client.get("/sync", headers=bearer(admin_token)).json() == {"user": alice.sub}


def test_errors_carry_the_guard_rendering(client: TestClient) -> None:
    missing = client.get("/private")
    bad = client.get("/public", headers=bearer("x.y.z"))  # a bad token is an error even here
    assert (missing.status_code, missing.headers["www-authenticate"]) == (
        401,
        'Bearer realm="cloudbase"',
    )
    assert missing.json() == {
        "error": "unauthorized",
        "error_description": "Authentication required.",
    }
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]


def test_doubled_header_is_a_400(client: TestClient, admin_token: str) -> None:
    response = client.get("/private", headers=[("authorization", f"Bearer {admin_token}")] * 2)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_groups_scopes_and_anonymous(
    client: TestClient, emulator: Emulator, admin_token: str, alice: Any
) -> None:
    plain = emulator.mint_access_token(alice.sub, scope="user", groups=("user",))
    anonymous = emulator.mint_access_token(alice.sub, scope="anonymous")
    assert client.get("/admin", headers=bearer(admin_token)).status_code == 200
    refused = client.get("/admin", headers=bearer(plain))
    assert refused.status_code == 403
    assert 'scope="admin"' in refused.headers["www-authenticate"]
    assert client.get("/sso", headers=bearer(admin_token)).status_code == 200
    assert client.get("/sso", headers=bearer(plain)).status_code == 403
    assert client.get("/members", headers=bearer(plain)).status_code == 200
    assert client.get("/members", headers=bearer(anonymous)).status_code == 403


def test_provider_down_is_a_503(client: TestClient, emulator: Emulator, admin_token: str) -> None:
    emulator.faults.down(True)
    response = client.get("/private", headers=bearer(admin_token))
    assert response.status_code == 503
    assert response.headers["retry-after"]


def test_profile_once_and_one_validation_per_request(
    guard: CloudBaseGuard, emulator: Emulator, admin_token: str
) -> None:
    with TestClient(make_app(guard)) as c:
        for _ in range(3):
            got = c.get("/profile", headers=bearer(admin_token)).json()
            assert (got["name"], got["same"]) == ("Alice", True)  # three dependencies, one user
    assert emulator.counters[ME] == 1


def test_openapi_declares_the_bearer_scheme(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["CloudBaseBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A CloudBase Auth v2 access token.",
    }
    paths = schema["paths"]
    for path in ("/private", "/public", "/admin"):
        assert paths[path]["get"]["security"] == [{"CloudBaseBearer": []}], path
    # FastAPI lists Security() scopes for HTTP schemes since 0.116; older releases list none
    assert paths["/sso"]["get"]["security"] in (
        [{"CloudBaseBearer": ["sso"]}],
        [{"CloudBaseBearer": []}],
    )


def test_websocket_dependency(client: TestClient, admin_token: str, alice: Any) -> None:
    with client.websocket_connect("/ws", headers=bearer(admin_token)) as ws:
        assert ws.receive_json() == {"user": alice.sub}
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws"):
        pass  # pragma: no cover
    assert closed.value.code == 1008


def test_bound_dependencies_without_init_app(
    guard: CloudBaseGuard, admin_token: str, alice: Any
) -> None:
    auth = CloudBaseAuth(guard=guard, scheme_name="Team")
    app = FastAPI(lifespan=closing_lifespan(guard))

    @app.get("/me")
    async def me(user: Annotated[CloudBaseUser, Depends(auth.current_user)]) -> Any:
        return {"user": user.sub}

    with TestClient(app) as c:
        assert c.get("/me", headers=bearer(admin_token)).json() == {"user": alice.sub}
        missing = c.get("/me")  # no handler installed: FastAPI's body, our status and headers
        assert "Team" in c.get("/openapi.json").json()["components"]["securitySchemes"]
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="cloudbase"'
    assert missing.json() == {
        "detail": {"error": "unauthorized", "error_description": "Authentication required."}
    }


def test_module_dependencies_need_cloudbase_auth_on_the_app() -> None:
    app = FastAPI()

    @app.get("/me")
    async def me(user: User) -> Any:
        return {}  # pragma: no cover

    with TestClient(app) as c, pytest.raises(RuntimeError, match=r"CloudBaseAuth\(app\)"):
        c.get("/me", headers=bearer("x.y.z"))


def test_reuses_what_the_asgi_middleware_validated(
    guard: CloudBaseGuard, config: CloudBaseAuthConfig, admin_token: str, alice: Any
) -> None:
    # The app's own guard points nowhere: only the middleware's validation can succeed.
    nowhere = CloudBaseGuard(config.replace(base_url="http://127.0.0.1:9", connect_timeout=0.2))
    app = AsgiMiddleware(make_app(nowhere), guard)
    with TestClient(app) as c:
        assert c.get("/private", headers=bearer(admin_token)).json() == {"user": alice.sub}
        bad = c.get("/private", headers=bearer("x.y.z"))  # the middleware's error is raised
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_token"


async def test_async_client(guard: CloudBaseGuard, admin_token: str, alice: Any) -> None:
    transport = httpx.ASGITransport(app=make_app(guard))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.get("/private", headers=bearer(admin_token))
    await guard.aclose()
    assert response.json() == {"user": alice.sub}
