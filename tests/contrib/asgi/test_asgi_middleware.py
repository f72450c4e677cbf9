"""The plain ASGI middleware through Starlette's TestClient, httpx's ASGITransport and raw calls."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from cloudbase_auth_mw.contrib.asgi import CloudBaseAuthMiddleware
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing import bearer

ME = "/auth/v1/user/me"


class EchoApp:
    """Answers what the middleware put in the scope; records lifespan and other scopes."""

    def __init__(self, guard: CloudBaseGuard | None = None) -> None:
        self.guard = guard
        self.seen: list[str] = []

    def describe(self, scope: dict[str, Any]) -> dict[str, Any]:
        user, error = scope["cloudbase.user"], scope["cloudbase.error"]
        return {
            "user": user.sub if user else None,
            "error": type(error).__name__ if error else None,
            "guard": scope["cloudbase.guard"] is not None,
        }

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.seen.append(scope["type"])
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": json.dumps(self.describe(scope))})
            await send({"type": "websocket.close", "code": 1000})
        elif scope["type"] == "http":
            data = self.describe(scope)
            if scope["path"] == "/profile" and scope["cloudbase.user"]:
                data["name"] = (await scope["cloudbase.user"].aprofile()).name
            body = json.dumps(data).encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})

    async def lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                if self.guard is not None:
                    await self.guard.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def client(app: Any) -> TestClient:
    return TestClient(app)


def test_annotates_user_and_passes_through(guard: CloudBaseGuard, token: str, alice: Any) -> None:
    app = CloudBaseAuthMiddleware(EchoApp(guard), guard)
    with client(app) as c:
        assert c.get("/", headers=bearer(token)).json() == {
            "user": alice.sub,
            "error": None,
            "guard": True,
        }
        assert c.get("/").json() == {"user": None, "error": None, "guard": True}


def test_bad_token_is_answered_even_where_auth_is_not_required(guard: CloudBaseGuard) -> None:
    echo = EchoApp(guard)
    with client(CloudBaseAuthMiddleware(echo, guard)) as c:
        response = c.get("/", headers=bearer("not.a.token"))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert echo.seen == ["lifespan"]


class Lenient(CloudBaseAuthMiddleware):
    """Lets requests with bad credentials through; the app reads ``cloudbase.error``."""

    async def on_error(self, scope: Any, receive: Any, send: Any, error: Any) -> None:
        await self.app(scope, receive, send)


def test_on_error_override_can_let_the_request_through(guard: CloudBaseGuard) -> None:
    with client(Lenient(EchoApp(guard), guard)) as c:
        got = c.get("/", headers=bearer("not.a.token")).json()
    assert got == {"user": None, "error": "MalformedToken", "guard": True}


def test_required_answers_with_the_guard_rendering(guard: CloudBaseGuard, token: str) -> None:
    app = CloudBaseAuthMiddleware(EchoApp(guard), guard, required=True)
    with client(app) as c:
        missing = c.get("/")
        bad = c.get("/", headers=bearer("not.a.token"))
        ok = c.get("/", headers=bearer(token))
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="cloudbase"'
    assert missing.headers["content-type"] == "application/json"
    assert missing.json()["error"] == "unauthorized"
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"].startswith(
        'Bearer realm="cloudbase", error="invalid_token"'
    )
    assert ok.status_code == 200


def test_doubled_authorization_header_is_a_400(guard: CloudBaseGuard, token: str) -> None:
    app = CloudBaseAuthMiddleware(EchoApp(guard), guard, required=True)
    headers = [("authorization", f"Bearer {token}"), ("authorization", f"Bearer {token}")]
    with client(app) as c:
        response = c.get("/", headers=headers)
    assert response.status_code == 400
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


def test_groups_imply_required_and_refuse_with_403(
    guard: CloudBaseGuard, emulator: Emulator, alice: Any
) -> None:
    app = CloudBaseAuthMiddleware(EchoApp(guard), guard, groups=("admin",))
    admin_token = emulator.mint_access_token(alice.sub, groups=("admin",))
    with client(app) as c:
        refused = c.get(
            "/", headers=bearer(emulator.mint_access_token(alice.sub, groups=("user",)))
        )
        allowed = c.get("/", headers=bearer(admin_token))
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    assert allowed.status_code == 200


def test_required_paths_match_whole_segments(guard: CloudBaseGuard) -> None:
    app = CloudBaseAuthMiddleware(EchoApp(guard), guard, required_paths=["/api/"])
    with client(app) as c:
        assert c.get("/api").status_code == 401
        assert c.get("/api/orders").status_code == 401
        assert c.get("/apiary").status_code == 200
        assert c.get("/").status_code == 200


def test_provider_down_is_503_with_retry_after(
    guard: CloudBaseGuard, emulator: Emulator, token: str
) -> None:
    emulator.faults.down(True)
    app = CloudBaseAuthMiddleware(EchoApp(guard), guard, required=True)
    with client(app) as c:
        response = c.get("/", headers=bearer(token))
    assert response.status_code == 503
    assert response.headers["retry-after"]


def test_cookie_and_query_only_when_enabled(
    config: CloudBaseAuthConfig, token: str, alice: Any
) -> None:
    both = CloudBaseGuard(config.replace(token_locations=("header", "cookie", "query")))
    header_only = CloudBaseGuard(config)
    for guard, expected in ((both, alice.sub), (header_only, None)):
        with client(CloudBaseAuthMiddleware(EchoApp(guard), guard)) as c:
            assert c.get(f"/?access_token={token}").json()["user"] == expected
            c.cookies.set("access_token", token)
            assert c.get("/").json()["user"] == expected


def test_websocket_accepted_with_a_valid_token(
    guard: CloudBaseGuard, token: str, alice: Any
) -> None:
    app = CloudBaseAuthMiddleware(EchoApp(guard), guard, required=True)
    with client(app) as c, c.websocket_connect("/ws", headers=bearer(token)) as ws:
        assert ws.receive_json()["user"] == alice.sub


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not.a.token"}])
def test_websocket_refused_with_1008_before_accept(
    guard: CloudBaseGuard, headers: dict[str, str]
) -> None:
    echo = EchoApp(guard)
    app = CloudBaseAuthMiddleware(echo, guard, required=True)
    with (
        client(app) as c,
        pytest.raises(WebSocketDisconnect) as refused,
        c.websocket_connect("/ws", headers=headers),
    ):
        pass  # pragma: no cover
    assert refused.value.code == 1008
    assert "websocket" not in echo.seen


def test_lifespan_and_other_scopes_pass_straight_through(guard: CloudBaseGuard) -> None:
    echo = EchoApp(guard)
    app = CloudBaseAuthMiddleware(echo, guard, required=True)
    with client(app):
        pass
    assert echo.seen == ["lifespan"]


async def test_other_scope_types_are_not_touched(guard: CloudBaseGuard) -> None:
    seen: list[dict[str, Any]] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(dict(scope))

    await CloudBaseAuthMiddleware(inner, guard, required=True)({"type": "custom"}, None, None)  # type: ignore[arg-type]
    assert seen == [{"type": "custom"}]


async def test_profile_loads_once_across_requests_via_httpx(
    guard: CloudBaseGuard, emulator: Emulator, token: str
) -> None:
    app = CloudBaseAuthMiddleware(EchoApp(guard), guard, required=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        for _ in range(3):
            response = await c.get("/profile", headers=bearer(token))
            assert response.json()["name"] == "Alice"
    await guard.aclose()
    assert emulator.counters[ME] == 1


class CountingGuard(CloudBaseGuard):
    """Counts validations (a real guard; only the tally is added)."""

    calls = 0

    async def aresolve(self, **credentials: Any) -> Any:
        self.calls += 1
        return await super().aresolve(**credentials)


async def test_stacked_middlewares_with_one_guard_validate_once(
    config: CloudBaseAuthConfig, token: str
) -> None:
    guard = CountingGuard(config)
    inner = CloudBaseAuthMiddleware(EchoApp(guard), guard, scopes=("user",))
    app = CloudBaseAuthMiddleware(inner, guard)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/", headers=bearer(token))).status_code == 200
    await guard.aclose()
    assert guard.calls == 1


def test_guard_and_config_together_is_an_error(
    guard: CloudBaseGuard, config: CloudBaseAuthConfig
) -> None:
    with pytest.raises(TypeError):
        CloudBaseAuthMiddleware(EchoApp(), guard, config)


def test_config_from_environment(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, token: str
) -> None:
    monkeypatch.setenv("CLOUDBASE_AUTH_ENV_ID", emulator.env_id)
    monkeypatch.setenv("CLOUDBASE_AUTH_BASE_URL", emulator.base_url)
    app = CloudBaseAuthMiddleware(EchoApp())
    app.app.guard = app.guard  # close the async client at shutdown
    with client(app) as c:
        assert c.get("/", headers=bearer(token)).json()["error"] is None
