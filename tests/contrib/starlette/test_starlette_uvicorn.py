"""The Starlette middleware under a real uvicorn server on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cloudbase_auth_mw.contrib.starlette import CloudBaseAuthMiddleware, login_required
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard

ME = "/auth/v1/user/me"


@login_required
async def profile(request: Request) -> JSONResponse:
    me = await request.user.cloudbase.aprofile()
    return JSONResponse({"user": request.user.identity, "name": me.name})


@pytest.fixture
def server(guard: CloudBaseGuard) -> Iterator[str]:
    app = Starlette(
        routes=[Route("/profile", profile)],
        middleware=[Middleware(CloudBaseAuthMiddleware, guard=guard)],
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_real_server(server: str, emulator: Emulator, admin_token: str, alice: Any) -> None:
    with httpx.Client(base_url=server) as client:
        missing = client.get("/profile")
        bad = client.get("/profile", headers={"Authorization": "Bearer x.y.z"})
        ok = [
            client.get("/profile", headers={"Authorization": f"Bearer {admin_token}"})
            for _ in range(3)
        ]
    assert (missing.status_code, missing.headers["www-authenticate"]) == (
        401,
        'Bearer realm="cloudbase"',
    )
    assert bad.status_code == 401
    assert [r.json() for r in ok] == [{"user": alice.sub, "name": "Alice"}] * 3
    assert emulator.counters[ME] == 1
